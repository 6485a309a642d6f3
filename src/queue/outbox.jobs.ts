// Completed outbox rows are a record of what was done; OUTBOX_RETENTION_DAYS bounds how long they
// are kept. The worker schedules this hourly (worker-host.ts); unfinished rows are never deleted.
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AppConfigService } from '../config/app-config';
import { JobName } from './job-catalogue';
import { JobHandlerRegistry } from './job-handlers';
import { OutboxRepository } from './outbox.repository';

@Injectable()
export class OutboxJobs implements OnModuleInit {
  private readonly logger = new Logger('Outbox');

  constructor(
    private readonly registry: JobHandlerRegistry,
    private readonly outbox: OutboxRepository,
    private readonly config: AppConfigService,
  ) {}

  onModuleInit(): void {
    this.registry.register(JobName.PruneOutbox, () => this.prune().then(() => undefined));
  }

  /** Returns how many rows were deleted (none when retention is 0: keep everything). */
  async prune(): Promise<number> {
    const days = this.config.get('OUTBOX_RETENTION_DAYS');
    if (days <= 0) return 0;
    const deleted = await this.outbox.pruneCompleted(days);
    if (deleted) this.logger.log(`Deleted ${deleted} outbox row(s) completed more than ${days} day(s) ago`);
    return deleted;
  }
}
