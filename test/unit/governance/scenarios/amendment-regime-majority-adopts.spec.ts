// A motion under the amendment regime: two amendments were adopted during
// the amending phase; the second no longer matches once the first applied.
import { applyAmendments } from '../../../../src/core/governance/amendments';
import { tallyProposal } from '../../../../src/core/governance/tally';
import { DEFAULTS, snapshot } from '../story';

test('a simple majority above majorityQuorum adopts the amended motion; void amendments are recorded', () => {
  const amended = applyAmendments('We paint the shed green in May.', [
    { id: 'a1', find: 'green', replace: 'blue' },
    { id: 'a2', find: 'green in May', replace: 'red in June' },
  ]);
  expect(amended).toStrictEqual({ text: 'We paint the shed blue in May.', applied: ['a1'], void: ['a2'] });

  const eligible = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina', 'hugo', 'ines', 'jules'];
  const result = tallyProposal(
    snapshot({
      regime: 'amendment',
      eligible,
      delegations: { erin: { circle: 'alice' } },
      votes: { alice: 'yes', bob: 'yes', carol: 'no', dave: 'abstain' },
      void: amended.void,
    }),
  );
  expect(result).toStrictEqual({
    proposal: 'p1',
    regime: 'amendment',
    params: DEFAULTS,
    outcome: 'adopted', // 3 > 1 and 5 ≥ 0.2·10
    totals: { E: 10, Y: 3, N: 1, A: 1, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 5,
    void: ['a2'],
  });
});
