// The same ring as in the lost-cycle story, but carol votes: her direct vote
// overrides her delegation and the ring becomes a chain.
import { replayStory } from '../replayed-story';
import { DEFAULTS, snapshot } from '../story';

test('a direct vote inside a delegation ring breaks the cycle', () => {
  const result = replayStory(
    snapshot({
      regime: 'unanimity',
      eligible: ['alice', 'bob', 'carol'],
      delegations: { alice: { circle: 'bob' }, bob: { circle: 'carol' }, carol: { circle: 'alice' } },
      votes: { carol: 'yes' },
    }),
  );
  expect(result).toStrictEqual({
    proposal: 'p1',
    regime: 'unanimity',
    params: DEFAULTS,
    outcome: 'adopted',
    totals: { E: 3, Y: 3, N: 0, A: 0, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 0,
  });
});
