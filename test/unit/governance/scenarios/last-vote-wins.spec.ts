// alice changes her mind twice; bob's vote lands exactly at closesAt.
import { isBeforeClose, tallyProposal, votesAtClose, type VoteEvent } from '../../../../src/core/governance/tally';
import { DEFAULTS, snapshot } from '../story';

test('the last vote before close counts; an entry recorded at closesAt is after close', () => {
  const closesAt = '2030-01-01T12:00:00.000Z';
  const log: Array<VoteEvent & { recordedAt: string }> = [
    { type: 'vote.cast', member: 'alice', proposal: 'p1', choice: 'no', recordedAt: '2030-01-01T10:00:00.000Z' },
    { type: 'vote.cast', member: 'bob', proposal: 'p1', choice: 'no', recordedAt: '2030-01-01T10:30:00.000Z' },
    { type: 'vote.cast', member: 'alice', proposal: 'p2', choice: 'no', recordedAt: '2030-01-01T10:45:00.000Z' },
    { type: 'vote.cast', member: 'alice', proposal: 'p1', choice: 'abstain', recordedAt: '2030-01-01T11:00:00.000Z' },
    { type: 'vote.cast', member: 'alice', proposal: 'p1', choice: 'yes', recordedAt: '2030-01-01T11:59:59.999Z' },
    { type: 'vote.cast', member: 'bob', proposal: 'p1', choice: 'yes', recordedAt: closesAt },
  ];
  const votes = votesAtClose(
    log.filter((e) => isBeforeClose(e.recordedAt, closesAt)),
    'p1',
  );
  expect(votes).toStrictEqual(new Map([['alice', 'yes'], ['bob', 'no']]));
  expect(tallyProposal(snapshot({ regime: 'amendment', eligible: ['alice', 'bob', 'carol'], votes }))).toStrictEqual({
    proposal: 'p1',
    regime: 'amendment',
    params: DEFAULTS,
    outcome: 'rejected', // 1 yes, 1 no: a tie
    totals: { E: 3, Y: 1, N: 1, A: 0, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 1,
  });
});
