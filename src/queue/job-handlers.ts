import { Injectable, OnModuleInit, SetMetadata } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { Job } from 'bullmq';
import { ALL_JOB_NAMES, JobName, JobPayloads } from './job-catalogue';

export type JobHandler<N extends JobName> = (payload: JobPayloads[N], job: Job<JobPayloads[N]>) => Promise<void>;

const HANDLES_JOB = 'archipel:handles-job';

/**
 * Marks a provider's method as the handler of job `name` (its result, if any, is dropped). The
 * registry finds every marked method when the application starts; the compiler checks that the
 * method takes that job's payload.
 */
export function HandlesJob<N extends JobName>(name: N) {
  return <M extends (payload: JobPayloads[N], job: Job<JobPayloads[N]>) => Promise<unknown>>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<M>,
  ): void => {
    SetMetadata(HANDLES_JOB, name)(target, key, descriptor);
  };
}

/**
 * Every job's handler, found on the features' providers (@HandlesJob); the worker checks the
 * catalogue is fully covered.
 */
@Injectable()
export class JobHandlerRegistry implements OnModuleInit {
  private readonly handlers = new Map<JobName, JobHandler<JobName>>();
  private readonly startHooks: Array<() => Promise<void>> = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    const seen = new Set<object>();
    for (const { instance } of this.discovery.getProviders()) {
      if (!instance || typeof instance !== 'object' || seen.has(instance)) continue;
      seen.add(instance);
      const holder = instance as Record<string, unknown>;
      for (const method of this.scanner.getAllMethodNames(Object.getPrototypeOf(instance))) {
        const fn = holder[method];
        const name = typeof fn === 'function' ? this.reflector.get<JobName | undefined>(HANDLES_JOB, fn) : undefined;
        if (!name) continue;
        const bound = fn as (payload: unknown, job: Job) => Promise<unknown>;
        this.register(name, async (payload, job) => void (await bound.call(instance, payload, job)));
      }
    }
  }

  /** Run when a worker starts serving (re-create jobs for work the database says is due). */
  onWorkerStart(hook: () => Promise<void>): void {
    this.startHooks.push(hook);
  }

  async runStartHooks(): Promise<void> {
    for (const hook of this.startHooks) await hook();
  }

  private register<N extends JobName>(name: N, handler: JobHandler<N>): void {
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
