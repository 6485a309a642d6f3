import { Module } from '@nestjs/common';
import { LoggingModule } from './common/logging.module';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { LedgerModule } from './ledger/ledger.module';
import { QueueModule } from './queue/queue.module';
import { WorkerHost } from './queue/worker-host';

/** The queue-worker process: the same feature modules, no HTTP. */
@Module({
  imports: [ConfigModule, LoggingModule, DatabaseModule, QueueModule, LedgerModule],
  providers: [WorkerHost],
})
export class WorkerModule {}
