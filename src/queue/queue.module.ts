import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import IORedis from 'ioredis';
import { AppConfigService } from '../config/app-config';
import { JobHandlerRegistry } from './job-handlers';
import { OutboxDispatcher } from './outbox.dispatcher';
import { OutboxJobs } from './outbox.jobs';
import { OutboxRepository } from './outbox.repository';
import { QueueService, REDIS, redisConnection } from './queue.service';

@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [
    { provide: REDIS, inject: [AppConfigService], useFactory: (c: AppConfigService) => redisConnection(c.redisUrl) },
    QueueService,
    OutboxRepository,
    OutboxDispatcher,
    OutboxJobs,
    JobHandlerRegistry,
  ],
  exports: [REDIS, QueueService, OutboxRepository, OutboxDispatcher, JobHandlerRegistry],
})
export class QueueModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: IORedis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}
