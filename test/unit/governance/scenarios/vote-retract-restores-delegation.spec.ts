// alice delegates to bob, votes no herself, then retracts her vote.
import { tallyProposal, votesAtClose } from '../../../../src/core/governance/tally';
import { DEFAULTS, snapshot } from '../story';

test('retracting a direct vote lets the delegation apply again', () => {
  const votes = votesAtClose(
    [
      { type: 'vote.cast', member: 'bob', proposal: 'p1', choice: 'yes' },
      { type: 'vote.cast', member: 'alice', proposal: 'p1', choice: 'no' },
      { type: 'vote.retract', member: 'alice', proposal: 'p1' },
    ],
    'p1',
  );
  expect(votes).toStrictEqual(new Map([['bob', 'yes']]));
  const result = tallyProposal(
    snapshot({ regime: 'unanimity', eligible: ['alice', 'bob'], delegations: { alice: { circle: 'bob' } }, votes }),
  );
  expect(result).toStrictEqual({
    proposal: 'p1',
    regime: 'unanimity',
    params: DEFAULTS,
    outcome: 'adopted',
    totals: { E: 2, Y: 2, N: 0, A: 0, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 0,
  });
});
