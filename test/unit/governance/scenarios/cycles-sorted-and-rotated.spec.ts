// Two rings without a voter. Ids compare in plain string (UTF-16 code unit)
// order: "Zed" sorts before "alice", unlike a locale-aware comparison.
import { replayStory } from '../replayed-story';
import { DEFAULTS, snapshot } from '../story';

test('each cycle starts at its smallest id and the list of cycles is sorted', () => {
  const result = replayStory(
    snapshot({
      regime: 'amendment',
      eligible: ['yann', 'carol', 'dave', 'bob', 'alice', 'Zed', 'mia'],
      delegations: {
        yann: { circle: 'alice' },
        alice: { circle: 'Zed' },
        Zed: { circle: 'yann' },
        carol: { circle: 'bob' },
        bob: { circle: 'dave' },
        dave: { circle: 'carol' },
      },
      votes: { mia: 'yes' },
    }),
  );
  expect(result).toStrictEqual({
    proposal: 'p1',
    regime: 'amendment',
    params: DEFAULTS,
    outcome: 'rejected',
    totals: { E: 7, Y: 1, N: 0, A: 0, O: 0 },
    lost: {
      weight: 6,
      cycles: [
        ['Zed', 'yann', 'alice'],
        ['bob', 'dave', 'carol'],
      ],
    },
    absent: 0,
  });
  expect('alice'.localeCompare('Zed')).toBeLessThan(0); // what the spec rules out
});
