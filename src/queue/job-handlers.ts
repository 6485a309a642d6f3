import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { ALL_JOB_NAMES, JobName, JobPayloads } from './job-catalogue';

export type JobHandler<N extends JobName> = (payload: JobPayloads[N], job: Job<JobPayloads[N]>) => Promise<void>;

/** Features register their handlers here; the worker checks the catalogue is fully covered. */
@Injectable()
export class JobHandlerRegistry {
  private readonly handlers = new Map<JobName, JobHandler<JobName>>();
  private readonly startHooks: Array<() => Promise<void>> = [];

  /** Run when a worker starts serving (re-create jobs for work the database says is due). */
  onWorkerStart(hook: () => Promise<void>): void {
    this.startHooks.push(hook);
  }

  async runStartHooks(): Promise<void> {
    for (const hook of this.startHooks) await hook();
  }

  register<N extends JobName>(name: N, handler: JobHandler<N>): void {
    if (this.handlers.has(name)) throw new Error(`Job ${name} has two handlers`);
    this.handlers.set(name, handler as unknown as JobHandler<JobName>);
  }

  get(name: JobName): JobHandler<JobName> {
    const handler = this.handlers.get(name);
    if (!handler) throw new Error(`Job ${name} has no handler`);
    return handler;
  }

  /** Throws unless every job of the catalogue has exactly one handler. */
  assertComplete(names: readonly JobName[] = ALL_JOB_NAMES): void {
    const missing = names.filter((n) => !this.handlers.has(n));
    if (missing.length) throw new Error(`Jobs without a handler: ${missing.join(', ')}`);
  }
}
