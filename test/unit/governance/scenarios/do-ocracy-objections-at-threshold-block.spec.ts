// A circle of 30 under do-ocracy: the third objection reaches 0.1·30 = 3.
import { replayStory } from '../replayed-story';
import { DEFAULTS, snapshot } from '../story';

const eligible = Array.from({ length: 30 }, (_, i) => `member${String(i).padStart(2, '0')}`);

test('three objections out of 30 reach objectionShare·E exactly and block', () => {
  const result = replayStory(
    snapshot({
      regime: 'do-ocracy',
      eligible,
      // member05 and member06 delegate their objection to member02
      delegations: { member05: { circle: 'member02' }, member06: { circle: 'member02' } },
      votes: { member00: 'support', member01: 'support', member02: 'object' },
    }),
  );
  expect(result).toStrictEqual({
    proposal: 'p1',
    regime: 'do-ocracy',
    params: DEFAULTS,
    outcome: 'rejected', // 3 < 3 is false
    totals: { E: 30, Y: 2, N: 0, A: 0, O: 3 },
    lost: { weight: 0, cycles: [] },
    absent: 25,
  });
});
