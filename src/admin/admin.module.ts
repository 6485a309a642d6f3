import { Injectable, Logger, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { AppConfigService } from '../config/app-config';
import { QueueService } from '../queue/queue.service';
import { DASHBOARD_PATH, queueDashboardPlugin } from './queue-dashboard';

/**
 * Registers the queue dashboard on the API's Fastify instance. `onModuleInit` runs inside
 * `app.init()`, before Fastify loads its plugins (at `listen()`/`ready()`), so the plugin is
 * registered in time. Without ADMIN_PASSWORD nothing is registered: the path answers 404.
 */
@Injectable()
export class QueueDashboard implements OnModuleInit {
  private readonly logger = new Logger('Admin');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: AppConfigService,
    private readonly queues: QueueService,
  ) {}

  onModuleInit(): void {
    const httpAdapter = this.adapterHost.httpAdapter;
    if (!httpAdapter) return; // an application context without HTTP
    const password = this.config.get('ADMIN_PASSWORD');
    if (!password) {
      this.logger.log(`Queue dashboard disabled: ADMIN_PASSWORD is not set (${DASHBOARD_PATH} answers 404)`);
      return;
    }
    const fastify = httpAdapter.getInstance<FastifyInstance>();
    void fastify.register(queueDashboardPlugin(this.queues.allQueues(), { user: this.config.get('ADMIN_USER'), password }), {
      prefix: DASHBOARD_PATH,
    });
    this.logger.log(`Queue dashboard at ${DASHBOARD_PATH} (basic auth, user "${this.config.get('ADMIN_USER')}")`);
  }
}

@Module({ providers: [QueueDashboard] })
export class AdminModule {}
