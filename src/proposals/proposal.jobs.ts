// SPEC §9: close and tally each proposal at its deadline — a delayed job per proposal, re-created
// on worker start for anything not yet tallied (Redis keeps nothing that PostgreSQL does not).
// And, at the opening, the snapshot of a big circle's eligible members for that tally.
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { Job } from 'bullmq';
import { HandlesJob, JobHandlerRegistry } from '../queue/job-handlers';
import { JobName, type JobPayloads } from '../queue/job-catalogue';
import { QueueService } from '../queue/queue.service';
import { NotYetDue, ProposalsService } from './proposals.service';

@Injectable()
export class ProposalJobs implements OnModuleInit {
  private readonly logger = new Logger('ProposalJobs');

  constructor(
    private readonly registry: JobHandlerRegistry,
    private readonly proposals: ProposalsService,
    private readonly queues: QueueService,
  ) {}

  onModuleInit(): void {
    this.registry.onWorkerStart(async () => void (await this.recreate()));
  }

  @HandlesJob(JobName.CloseProposal)
  async close({ proposal }: JobPayloads[JobName.CloseProposal], job: Job<JobPayloads[JobName.CloseProposal]>): Promise<void> {
    try {
      await this.proposals.close(proposal);
    } catch (error) {
      // Early (clocks of two hosts differ): wait for the deadline instead of burning attempts.
      if (error instanceof NotYetDue && job.token) {
        await job.moveToDelayed(Math.max(error.closesAt, Date.now() + 100), job.token);
        const { DelayedError } = await import('bullmq');
        throw new DelayedError();
      }
      throw error;
    }
  }

  @HandlesJob(JobName.SnapshotPopulation)
  async population({ proposal }: JobPayloads[JobName.SnapshotPopulation]): Promise<void> {
    const kept = await this.proposals.snapshotPopulation(proposal);
    if (kept) this.logger.log(`Kept the ${kept} eligible members of ${proposal} for its tally`);
  }

  /** Enqueue a close job for every proposal without a tally; natural ids make this idempotent. */
  async recreate(): Promise<number> {
    const pending = await this.proposals.pendingProposals(100_000);
    for (const p of pending) await this.queues.enqueue({ name: JobName.CloseProposal, payload: { proposal: p.id } }, p.closesAt);
    if (pending.length) this.logger.log(`Re-created close jobs for ${pending.length} proposal(s)`);
    return pending.length;
  }
}
