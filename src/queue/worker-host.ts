import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Worker } from 'bullmq';
import IORedis from 'ioredis';
import { AppConfigService } from '../config/app-config';
import { ALL_JOB_NAMES, JOB_POLICY, JobName } from './job-catalogue';
import { JobHandlerRegistry } from './job-handlers';
import { OutboxDispatcher } from './outbox.dispatcher';
import { QueueService, REDIS } from './queue.service';

/** Jobs on a schedule, not written to the outbox: nothing to mark completed. */
const SCHEDULED: ReadonlySet<JobName> = new Set([JobName.CutCheckpoints, JobName.PruneOutbox, JobName.CollectCosignatures, JobName.AuditLogs]);
const PRUNE_EVERY_MS = 3_600_000;

/** Runs the BullMQ workers (worker process only). Handlers rethrow, so BullMQ retries. */
@Injectable()
export class WorkerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Worker');
  private readonly workers: Worker[] = [];
  private readonly connections: IORedis[] = [];

  constructor(
    private readonly registry: JobHandlerRegistry,
    private readonly config: AppConfigService,
    private readonly outbox: OutboxDispatcher,
    private readonly queues: QueueService,
    @Inject(REDIS) private readonly redis: IORedis,
  ) {}

  /** The job names this process serves; all of them unless WORKER_JOBS narrows it (tests). */
  static served(): JobName[] {
    const only = process.env.WORKER_JOBS?.split(',').map((s) => s.trim()).filter(Boolean);
    return only?.length ? ALL_JOB_NAMES.filter((n) => only.includes(n)) : [...ALL_JOB_NAMES];
  }

  async onApplicationBootstrap(): Promise<void> {
    this.registry.assertComplete();
    for (const name of WorkerHost.served()) {
      const handler = this.registry.get(name);
      const connection = this.redis.duplicate();
      this.connections.push(connection);
      const worker = new Worker(
        name,
        async (job) => {
          await handler(job.data, job);
          // Until this is written, a restore dispatches the job again (the handler is idempotent).
          if (!SCHEDULED.has(name) && job.id) await this.outbox.completed(job.id);
        },
        {
          connection,
          prefix: this.config.get('QUEUE_PREFIX'),
          concurrency: this.config.get('WORKER_CONCURRENCY'),
        },
      );
      worker.on('failed', (job, err) =>
        this.logger.warn(`${name} ${job?.id} failed (attempt ${job?.attemptsMade}): ${err.message}`),
      );
      worker.on('error', (err) => this.logger.error(`${name}: ${err.message}`));
      this.workers.push(worker);
    }
    this.outbox.startSweeping(1000);
    await this.restore();
    // Redis keeps nothing that PostgreSQL does not (SPEC §9): after a reconnection — Redis may
    // have restarted empty — re-create what is due and the schedules, as at start. Idempotent.
    this.redis.on('ready', () => {
      this.logger.log('Redis is back: re-creating due jobs and schedules');
      this.restore().catch((e) => this.logger.error(`Re-creating jobs failed: ${(e as Error).message}`));
    });
    this.logger.log(`Serving jobs: ${WorkerHost.served().join(', ')}`);
  }

  private restoring: Promise<void> | null = null;

  /** Jobs the database says are due (start hooks) and the repeatable schedules. */
  private restore(): Promise<void> {
    this.restoring ??= (async () => {
      try {
        const redispatched = await this.outbox.redispatchUnfinished();
        if (redispatched) this.logger.log(`Dispatching again ${redispatched} outbox job(s) not yet completed`);
        await this.registry.runStartHooks();
        const served = WorkerHost.served();
        const schedule = (name: JobName.CutCheckpoints | JobName.PruneOutbox | JobName.CollectCosignatures | JobName.AuditLogs, id: string, everyMs: number) => {
          const policy = JOB_POLICY[name];
          return this.queues
            .queue(name)
            .upsertJobScheduler(id, { every: everyMs }, { name, data: {}, opts: { attempts: policy.attempts, backoff: { type: 'exponential', delay: policy.backoffMs } } });
        };
        if (served.includes(JobName.CutCheckpoints)) await schedule(JobName.CutCheckpoints, 'checkpoints', this.config.get('CHECKPOINT_INTERVAL_SECONDS') * 1000);
        if (served.includes(JobName.AuditLogs)) await schedule(JobName.AuditLogs, 'log-audit', this.config.get('AUDIT_INTERVAL_SECONDS') * 1000);
        if (served.includes(JobName.CollectCosignatures)) await schedule(JobName.CollectCosignatures, 'witness-collect', this.config.get('WITNESS_INTERVAL_SECONDS') * 1000);
        if (served.includes(JobName.PruneOutbox)) {
          if (this.config.get('OUTBOX_RETENTION_DAYS') > 0) await schedule(JobName.PruneOutbox, 'outbox-prune', PRUNE_EVERY_MS);
          else await this.queues.queue(JobName.PruneOutbox).removeJobScheduler('outbox-prune');
        }
      } finally {
        this.restoring = null;
      }
    })();
    return this.restoring;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    // A connection handed to BullMQ stays ours to close.
    await Promise.all(this.connections.map((c) => c.quit().catch(() => c.disconnect())));
  }
}
