import { Module } from '@nestjs/common';
import { LoggingModule } from './common/logging.module';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { FEATURE_MODULES } from './features';
import { QueueModule } from './queue/queue.module';
import { WorkerHost } from './queue/worker-host';

/** The queue-worker process: the same feature modules, no HTTP. */
@Module({
  imports: [ConfigModule, LoggingModule, DatabaseModule, QueueModule, ...FEATURE_MODULES],
  providers: [WorkerHost],
})
export class WorkerModule {}
