// Under the split regime, a third of the votes against is enough to fork.
import { splitForkMembers, tallyProposal } from '../../../../src/core/governance/tally';
import { DEFAULTS, snapshot } from '../story';

test('a contested split-regime motion forks; only direct yes voters go to the new circle', () => {
  const story = snapshot({
    regime: 'split',
    eligible: ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina', 'hugo', 'ines'],
    delegations: { carol: { circle: 'alice' }, hugo: { circle: 'dave' } },
    votes: { alice: 'yes', bob: 'yes', dave: 'no', erin: 'no', frank: 'no', gina: 'no' },
  });
  expect(tallyProposal(story)).toStrictEqual({
    proposal: 'p1',
    regime: 'split',
    params: DEFAULTS,
    outcome: 'forked', // min(3, 5) = 3 ≥ 1/3·8
    totals: { E: 9, Y: 3, N: 5, A: 0, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 1,
  });
  // carol's yes was delegated: she stays
  expect(splitForkMembers(story)).toStrictEqual(['alice', 'bob']);
});
