// Completed outbox rows are a record of what was done; OUTBOX_RETENTION_DAYS bounds how long they
// are kept. The worker schedules this hourly (worker-host.ts); unfinished rows are never deleted.
import { Injectable, Logger } from '@nestjs/common';
import { AppConfigService } from '../config/app-config';
import { JobName } from './job-catalogue';
import { HandlesJob } from './job-handlers';
import { OutboxRepository } from './outbox.repository';

@Injectable()
export class OutboxJobs {
  private readonly logger = new Logger('Outbox');

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly config: AppConfigService,
  ) {}

  /** Returns how many rows were deleted (none when retention is 0: keep everything). */
  @HandlesJob(JobName.PruneOutbox)
  async prune(): Promise<number> {
    const days = this.config.get('OUTBOX_RETENTION_DAYS');
    if (days <= 0) return 0;
    const deleted = await this.outbox.pruneCompleted(days);
    if (deleted) this.logger.log(`Deleted ${deleted} outbox row(s) completed more than ${days} day(s) ago`);
    return deleted;
  }
}
