// The queue jobs the rules' job requests become (src/ledger/job-requests.ts).
import { jobItems } from '../../../src/ledger/job-requests';
import { JobName } from '../../../src/queue/job-catalogue';

describe('jobItems', () => {
  const now = 1_000;

  it("gives a proposal's close its snapshot job at once and its close job at the deadline", () => {
    expect(jobItems({ kind: 'close-proposal', proposal: 'p1', at: 9_000 }, 4, now)).toEqual([
      { item: { name: JobName.SnapshotPopulation, payload: { proposal: 'p1' } }, runAt: now },
      { item: { name: JobName.CloseProposal, payload: { proposal: 'p1' } }, runAt: 9_000 },
    ]);
  });

  it('gives every other request one job, now, with the placed entry for a receipt of it', () => {
    expect(jobItems({ kind: 'propagate', circle: 'c', seq: -1, ancestor: 'a' }, 4, now)).toEqual([
      { item: { name: JobName.PropagateDecision, payload: { circle: 'c', seq: 4, ancestor: 'a' } }, runAt: now },
    ]);
    expect(jobItems({ kind: 'propagate', circle: 'c', seq: 2, ancestor: 'a' }, 4, now)[0].item.payload).toEqual({ circle: 'c', seq: 2, ancestor: 'a' });
    expect(jobItems({ kind: 'fork', circle: 'c', proposal: 'p' }, 4, now)).toEqual([{ item: { name: JobName.ExecuteFork, payload: { circle: 'c', proposal: 'p' } }, runAt: now }]);
    expect(jobItems({ kind: 'recompute-cursor', circle: 'c' }, 4, now)).toEqual([{ item: { name: JobName.RecomputeCursor, payload: { circle: 'c', seq: 4 } }, runAt: now }]);
    expect(jobItems({ kind: 'announce-child', circle: 'c' }, 4, now)).toEqual([{ item: { name: JobName.AnnounceChild, payload: { circle: 'c' } }, runAt: now }]);
  });
});
