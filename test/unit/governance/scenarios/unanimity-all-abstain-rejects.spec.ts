// Everyone stands aside: nobody is for it.
import { replayStory } from '../replayed-story';
import { DEFAULTS, snapshot } from '../story';

test('unanimity needs at least one yes: all stand-asides reject', () => {
  const result = replayStory(
    snapshot({
      regime: 'unanimity',
      eligible: ['alice', 'bob', 'carol'],
      delegations: { carol: { circle: 'bob' } },
      votes: { alice: 'abstain', bob: 'abstain' },
    }),
  );
  expect(result).toStrictEqual({
    proposal: 'p1',
    regime: 'unanimity',
    params: DEFAULTS,
    outcome: 'rejected',
    totals: { E: 3, Y: 0, N: 0, A: 3, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 0,
  });
});
