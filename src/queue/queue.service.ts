import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { AppConfigService } from '../config/app-config';
import { JOB_POLICY, JobItem, JobName, naturalJobId } from './job-catalogue';

export const REDIS = Symbol('REDIS');

export function redisConnection(url: string): IORedis {
  // BullMQ needs maxRetriesPerRequest null for blocking commands.
  return new IORedis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
}

/** Producer side of the job catalogue: one BullMQ queue per job name. */
@Injectable()
export class QueueService implements OnApplicationShutdown {
  private readonly queues = new Map<JobName, Queue>();

  constructor(
    @Inject(REDIS) private readonly redis: IORedis,
    private readonly config: AppConfigService,
  ) {}

  queue(name: JobName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.redis, prefix: this.config.get('QUEUE_PREFIX') });
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** Enqueue under the job's natural id: a duplicate enqueue is a no-op. */
  async enqueue(item: JobItem, runAt?: number): Promise<void> {
    const policy = JOB_POLICY[item.name];
    const delay = runAt === undefined ? 0 : Math.max(0, runAt - Date.now());
    await this.queue(item.name).add(item.name, item.payload, {
      jobId: naturalJobId(item),
      delay,
      attempts: policy.attempts,
      backoff: { type: 'exponential', delay: policy.backoffMs },
      removeOnComplete: { age: 3600, count: 10_000 },
      // Failed jobs stay visible for an operator (Bull Board, /health).
      removeOnFail: false,
    });
  }

  async counts(): Promise<Record<string, Record<string, number>>> {
    const out: Record<string, Record<string, number>> = {};
    for (const name of Object.values(JobName)) {
      out[name] = await this.queue(name).getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
    }
    return out;
  }

  allQueues(): Queue[] {
    return Object.values(JobName).map((n) => this.queue(n));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
