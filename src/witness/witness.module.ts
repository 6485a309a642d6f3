import { Global, Module } from '@nestjs/common';
import { CosignedCheckpointSource } from '../ledger/cosigned-checkpoints';
import { LedgerModule } from '../ledger/ledger.module';
import { CosignedCheckpoints } from './cosigned-checkpoints.service';
import { WitnessClientJobs } from './witness-client.jobs';
import { WitnessController } from './witness.controller';
import { WitnessRepository } from './witness.repository';
import { WitnessRoute } from './witness.route';
import { WitnessService } from './witness.service';
import { WitnessSettings } from './witness-settings';

/**
 * Witnessing (SPEC §12.1): this instance as a C2SP witness of its peers' logs
 * (`POST /witness/add-checkpoint`), and as a log collecting its witnesses' cosignatures
 * (`?cosigned=1`). Global: the ledger's checkpoint route receives the cosigned source without
 * importing this feature.
 */
@Global()
@Module({
  imports: [LedgerModule],
  controllers: [WitnessController],
  providers: [
    WitnessSettings,
    WitnessRepository,
    WitnessService,
    WitnessRoute,
    WitnessClientJobs,
    CosignedCheckpoints,
    { provide: CosignedCheckpointSource, useExisting: CosignedCheckpoints },
  ],
  exports: [CosignedCheckpointSource, WitnessService, WitnessRepository],
})
export class WitnessModule {}
