// alice → bob → carol: carol's direct yes carries all three weights.
import { tallyProposal } from '../../../../src/core/governance/tally';
import { DEFAULTS, snapshot } from '../story';

test('a chain of delegations carries weight hop by hop to the member who voted', () => {
  const result = tallyProposal(
    snapshot({
      regime: 'amendment',
      eligible: ['alice', 'bob', 'carol', 'dave', 'erin'],
      delegations: { alice: { circle: 'bob' }, bob: { circle: 'carol' } },
      votes: { carol: 'yes', dave: 'no' },
      // erin neither votes nor delegates
    }),
  );
  expect(result).toStrictEqual({
    proposal: 'p1',
    regime: 'amendment',
    params: DEFAULTS,
    outcome: 'adopted',
    totals: { E: 5, Y: 3, N: 1, A: 0, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 1,
  });
});
