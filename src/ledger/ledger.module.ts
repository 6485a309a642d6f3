import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module';
import { CheckpointJobs } from './checkpoint.jobs';
import { CheckpointMirror } from './checkpoint-mirror';
import { IntegrityRepository } from './integrity.repository';
import { LogAuditor } from './log-auditor';
import { LedgerRepository } from './ledger.repository';
import { LedgerService } from './ledger.service';
import { LedgerWriter } from './ledger-writer';
import { LogEventsPublisher } from './log-events.publisher';
import { LogsController } from './logs.controller';

/**
 * The logs: storage, the writer, proofs and checkpoints (SPEC §3.5, §3.6). The writer applies
 * effects through the `EffectProjector` the statements feature provides; the ledger imports no
 * feature.
 */
@Module({
  imports: [IdentityModule],
  controllers: [LogsController],
  providers: [LedgerRepository, LedgerService, LedgerWriter, LogEventsPublisher, CheckpointJobs, IntegrityRepository, CheckpointMirror, LogAuditor],
  exports: [IdentityModule, LedgerRepository, LedgerService, LedgerWriter, IntegrityRepository, LogAuditor],
})
export class LedgerModule {}
