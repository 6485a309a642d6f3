import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { RegimesRepository } from './regimes.repository';
import { RegimesService } from './regimes.service';

/** The regime cursor (SPEC §6). */
@Module({
  imports: [LedgerModule],
  providers: [RegimesRepository, RegimesService],
  exports: [RegimesRepository],
})
export class RegimesModule {}
