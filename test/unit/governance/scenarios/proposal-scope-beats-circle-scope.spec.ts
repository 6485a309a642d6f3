// alice trusts bob in general but carol on this one proposal.
import { delegationsInForce } from '../../../../src/core/governance/resolve';
import { tallyProposal } from '../../../../src/core/governance/tally';
import { DEFAULTS, snapshot } from '../story';

test('a proposal-scoped delegation takes precedence over topic- and circle-scoped ones', () => {
  const delegations = delegationsInForce(
    [
      { type: 'delegation.set', member: 'alice', to: 'bob', scope: { circle: true } },
      { type: 'delegation.set', member: 'alice', to: 'bob', scope: { topic: 'garden' } },
      { type: 'delegation.set', member: 'alice', to: 'carol', scope: { proposal: 'p1' } },
      // a proposal-scoped delegation for another proposal does not apply here
      { type: 'delegation.set', member: 'dave', to: 'carol', scope: { proposal: 'p2' } },
      { type: 'delegation.set', member: 'dave', to: 'bob', scope: { circle: true } },
    ],
    { id: 'p1', topic: 'garden' },
  );
  expect(delegations).toStrictEqual(
    new Map([
      ['alice', { circle: 'bob', topic: 'bob', proposal: 'carol' }],
      ['dave', { circle: 'bob' }],
    ]),
  );
  const result = tallyProposal(
    snapshot({
      regime: 'amendment',
      topic: 'garden',
      eligible: ['alice', 'bob', 'carol', 'dave'],
      delegations,
      votes: { bob: 'yes', carol: 'no' },
    }),
  );
  expect(result).toStrictEqual({
    proposal: 'p1',
    regime: 'amendment',
    params: DEFAULTS,
    outcome: 'rejected', // alice's weight goes to carol: 2 yes (bob, dave), 2 no — a tie
    totals: { E: 4, Y: 2, N: 2, A: 0, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 0,
  });
});
