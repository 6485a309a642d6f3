// alice delegates to bob, then revokes it and does not vote.
import { delegationsInForce } from '../../../../src/core/governance/resolve';
import { tallyProposal } from '../../../../src/core/governance/tally';
import { DEFAULTS, snapshot } from '../story';

test('a revoked delegation leaves a member who did not vote absent', () => {
  const delegations = delegationsInForce(
    [
      { type: 'delegation.set', member: 'alice', to: 'bob', scope: { circle: true } },
      { type: 'delegation.set', member: 'carol', to: 'bob', scope: { circle: true } },
      { type: 'delegation.set', member: 'carol', to: 'bob', scope: { topic: 'roads' } },
      { type: 'delegation.revoke', member: 'alice', scope: { circle: true } },
      { type: 'delegation.revoke', member: 'carol', scope: { topic: 'roads' } }, // her circle scope remains
    ],
    { id: 'p1', topic: 'roads' },
  );
  expect(delegations).toStrictEqual(new Map([['carol', { circle: 'bob' }]]));
  const result = tallyProposal(
    snapshot({ regime: 'amendment', topic: 'roads', eligible: ['alice', 'bob', 'carol'], delegations, votes: { bob: 'yes' } }),
  );
  expect(result).toStrictEqual({
    proposal: 'p1',
    regime: 'amendment',
    params: DEFAULTS,
    outcome: 'adopted',
    totals: { E: 3, Y: 2, N: 0, A: 0, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 1,
  });
});
