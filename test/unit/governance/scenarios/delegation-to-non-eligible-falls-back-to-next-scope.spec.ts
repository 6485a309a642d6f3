// zed joined after the proposal opened: he is not eligible, so delegations
// to him are skipped and the next scope applies.
import { replayStory } from '../replayed-story';
import { DEFAULTS, snapshot } from '../story';

test('a delegation whose delegate is not eligible is skipped in favour of the next scope', () => {
  const result = replayStory(
    snapshot({
      regime: 'amendment',
      topic: 'garden',
      eligible: ['alice', 'bob', 'carol', 'dave'],
      delegations: {
        alice: { proposal: 'zed', topic: 'zed', circle: 'bob' }, // falls through to bob
        carol: { proposal: 'zed', topic: 'bob' }, // falls through to the topic: bob
        dave: { circle: 'zed' }, // nothing left: absent
        zed: { circle: 'bob' }, // not eligible: carries no weight
      },
      votes: { bob: 'yes', zed: 'no' }, // zed's vote is not counted either
    }),
  );
  expect(result).toStrictEqual({
    proposal: 'p1',
    regime: 'amendment',
    params: DEFAULTS,
    outcome: 'adopted',
    totals: { E: 4, Y: 3, N: 0, A: 0, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 1,
  });
});
