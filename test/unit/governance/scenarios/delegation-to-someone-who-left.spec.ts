// carol leaves the circle. A proposal opened after she left does not count
// her as eligible, so delegations to her are skipped; on one opened before,
// she stays eligible but the delegations she gave lapsed when she left.
import { delegationsInForce, type DelegationEvent } from '../../../../src/core/governance/resolve';
import { tallyProposal } from '../../../../src/core/governance/tally';
import { DEFAULTS, snapshot } from '../story';

const log: DelegationEvent[] = [
  { type: 'delegation.set', member: 'alice', to: 'carol', scope: { circle: true } },
  { type: 'delegation.set', member: 'carol', to: 'bob', scope: { circle: true } },
  { type: 'member.leave', member: 'carol' },
];

test('after a member leaves, delegations to her stop counting on later proposals', () => {
  const later = tallyProposal(
    snapshot({
      proposal: 'p-after',
      regime: 'amendment',
      eligible: ['alice', 'bob'], // carol had left when it opened
      delegations: delegationsInForce(log, { id: 'p-after', topic: null }),
      votes: { bob: 'yes' },
    }),
  );
  expect(later).toStrictEqual({
    proposal: 'p-after',
    regime: 'amendment',
    params: DEFAULTS,
    outcome: 'adopted',
    totals: { E: 2, Y: 1, N: 0, A: 0, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 1, // alice: her only delegate is not eligible
  });
});

test('on a proposal opened before she left, she stays eligible but her own delegation lapsed', () => {
  const earlier = tallyProposal(
    snapshot({
      proposal: 'p-before',
      regime: 'amendment',
      eligible: ['alice', 'bob', 'carol'],
      delegations: delegationsInForce(log, { id: 'p-before', topic: null }),
      votes: { bob: 'yes' },
    }),
  );
  expect(earlier).toStrictEqual({
    proposal: 'p-before',
    regime: 'amendment',
    params: DEFAULTS,
    outcome: 'adopted',
    totals: { E: 3, Y: 1, N: 0, A: 0, O: 0 },
    lost: { weight: 1, cycles: [] }, // alice's chain reaches carol, now absent
    absent: 1, // carol
  });
});
