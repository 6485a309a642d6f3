// An explicit split proposal: exit is a right, nobody leaves by delegation.
import { splitForkMembers, tallyProposal } from '../../../../src/core/governance/tally';
import { DEFAULTS, snapshot } from '../story';

test('a split proposal counts only direct leave/stay choices and forks as soon as one member leaves', () => {
  const story = snapshot({
    kind: 'split',
    regime: 'unanimity', // the circle's regime does not decide a split
    eligible: ['alice', 'bob', 'carol', 'dave', 'erin'],
    delegations: { bob: { circle: 'alice' }, dave: { proposal: 'carol' } },
    votes: { alice: 'leave', carol: 'stay', erin: 'leave' },
  });
  expect(tallyProposal(story)).toStrictEqual({
    proposal: 'p1',
    regime: 'unanimity',
    params: DEFAULTS,
    outcome: 'forked',
    totals: { E: 5, Y: 2, N: 1, A: 0, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 2, // bob and dave stay without having chosen
  });
  expect(splitForkMembers(story)).toStrictEqual(['alice', 'erin']);
});

test('nobody leaving rejects the split', () => {
  const result = tallyProposal(
    snapshot({ kind: 'split', regime: 'split', eligible: ['alice', 'bob'], votes: { alice: 'stay' } }),
  );
  expect(result).toStrictEqual({
    proposal: 'p1',
    regime: 'split',
    params: DEFAULTS,
    outcome: 'rejected',
    totals: { E: 2, Y: 0, N: 1, A: 0, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 1,
  });
});
