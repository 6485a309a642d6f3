// alice and bob delegate to carol, who stands aside.
import { replayStory } from '../replayed-story';
import { DEFAULTS, snapshot } from '../story';

test('a delegate’s abstention carries her delegators’ weight as abstentions, not as absence', () => {
  const result = replayStory(
    snapshot({
      regime: 'unanimity',
      eligible: ['alice', 'bob', 'carol', 'dave'],
      delegations: { alice: { circle: 'carol' }, bob: { circle: 'carol' } },
      votes: { carol: 'abstain', dave: 'yes' },
    }),
  );
  expect(result).toStrictEqual({
    proposal: 'p1',
    regime: 'unanimity',
    params: DEFAULTS,
    outcome: 'adopted', // N = 0, Y > 0, Y + A = 4 ≥ 1·4
    totals: { E: 4, Y: 1, N: 0, A: 3, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 0,
  });
});
