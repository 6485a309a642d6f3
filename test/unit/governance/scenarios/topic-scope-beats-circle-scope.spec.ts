// alice trusts carol on the budget and bob otherwise; topics match exactly.
import { delegationsInForce } from '../../../../src/core/governance/resolve';
import { tallyProposal } from '../../../../src/core/governance/tally';
import { DEFAULTS, snapshot } from '../story';

test('a topic-scoped delegation for the proposal’s topic beats the circle-scoped one; topics match exactly', () => {
  const delegations = delegationsInForce(
    [
      { type: 'delegation.set', member: 'alice', to: 'bob', scope: { circle: true } },
      { type: 'delegation.set', member: 'alice', to: 'carol', scope: { topic: 'budget' } },
      // "Budget" is not "budget": dave's circle-scoped delegation applies
      { type: 'delegation.set', member: 'dave', to: 'bob', scope: { circle: true } },
      { type: 'delegation.set', member: 'dave', to: 'carol', scope: { topic: 'Budget' } },
    ],
    { id: 'p1', topic: 'budget' },
  );
  const result = tallyProposal(
    snapshot({
      regime: 'amendment',
      topic: 'budget',
      eligible: ['alice', 'bob', 'carol', 'dave', 'erin'],
      delegations,
      votes: { bob: 'yes', carol: 'no', erin: 'no' },
    }),
  );
  expect(result).toStrictEqual({
    proposal: 'p1',
    regime: 'amendment',
    params: DEFAULTS,
    outcome: 'rejected',
    totals: { E: 5, Y: 2, N: 3, A: 0, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 0,
  });

  // The same delegations on a proposal without a topic: alice follows bob.
  const untopical = tallyProposal(
    snapshot({
      regime: 'amendment',
      topic: null,
      eligible: ['alice', 'bob', 'carol', 'dave', 'erin'],
      delegations: delegationsInForce([
        { type: 'delegation.set', member: 'alice', to: 'bob', scope: { circle: true } },
        { type: 'delegation.set', member: 'alice', to: 'carol', scope: { topic: 'budget' } },
      ], { id: 'p1', topic: null }),
      votes: { bob: 'yes', carol: 'no', erin: 'no' },
    }),
  );
  expect(untopical.totals).toStrictEqual({ E: 5, Y: 2, N: 2, A: 0, O: 0 });
  expect(untopical.absent).toBe(1); // dave
});
