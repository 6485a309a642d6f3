// The queue job for each job a rule asks for (src/core/rules/state.ts `JobRequest`): the one place
// the rules' requests become the queue's typed jobs.
import { assertUnreachable } from '../core/rules/domain-error';
import type { JobRequest } from '../core/rules/state';
import { type JobItem, JobName } from '../queue/job-catalogue';

/**
 * The queue jobs for a job request of the rules (`seq` -1: the entry just placed). A proposal's
 * close comes with, at once, the snapshot of its eligible members that makes a big circle's tally
 * cheap (src/proposals/tally-loader.ts): the server's own shortcut, not a rule.
 */
export function jobItems(job: JobRequest, seq: number, now: number): Array<{ item: JobItem; runAt: number }> {
  switch (job.kind) {
    case 'close-proposal':
      return [
        { item: { name: JobName.SnapshotPopulation, payload: { proposal: job.proposal } }, runAt: now },
        { item: { name: JobName.CloseProposal, payload: { proposal: job.proposal } }, runAt: job.at },
      ];
    case 'propagate':
      return [
        {
          item: { name: JobName.PropagateDecision, payload: { circle: job.circle, seq: job.seq === -1 ? seq : job.seq, ancestor: job.ancestor } },
          runAt: now,
        },
      ];
    case 'fork':
      return [{ item: { name: JobName.ExecuteFork, payload: { circle: job.circle, proposal: job.proposal } }, runAt: now }];
    case 'recompute-cursor':
      return [{ item: { name: JobName.RecomputeCursor, payload: { circle: job.circle, seq } }, runAt: now }];
    case 'announce-child':
      return [{ item: { name: JobName.AnnounceChild, payload: { circle: job.circle } }, runAt: now }];
    default:
      return assertUnreachable(job);
  }
}

