import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { ProposalJobs } from './proposal.jobs';
import { ProposalsController } from './proposals.controller';
import { ProposalsRepository } from './proposals.repository';
import { ProposalsService } from './proposals.service';

/** Proposals, their provisional tallies and their closing (SPEC §5). */
@Module({
  imports: [LedgerModule],
  controllers: [ProposalsController],
  providers: [ProposalsRepository, ProposalsService, ProposalJobs],
  exports: [ProposalsRepository, ProposalsService],
})
export class ProposalsModule {}
