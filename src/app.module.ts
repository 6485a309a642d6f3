import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AdminModule } from './admin/admin.module';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { LoggingModule } from './common/logging.module';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { EventsModule } from './events/events.module';
import { HealthModule } from './health/health.module';
import { FEATURE_MODULES } from './features';
import { QueueModule } from './queue/queue.module';

/** The HTTP API process. */
@Module({
  imports: [ConfigModule, LoggingModule, DatabaseModule, QueueModule, HealthModule, ...FEATURE_MODULES, EventsModule, AdminModule],
  providers: [{ provide: APP_FILTER, useClass: HttpExceptionFilter }],
})
export class ApiModule {}
