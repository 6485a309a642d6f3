import { Module } from '@nestjs/common';
import { CirclesModule } from '../circles/circles.module';
import { LedgerModule } from '../ledger/ledger.module';
import { PeersModule } from '../federation/peers.module';
import { ProposalsModule } from '../proposals/proposals.module';
import { PropagationController } from './propagation.controller';
import { PropagationJobs } from './propagation.jobs';
import { PropagationRepository } from './propagation.repository';
import { PropagationService } from './propagation.service';

/** Receipts of adopted decisions in every ancestor, and ratifications (SPEC §8). */
@Module({
  imports: [LedgerModule, CirclesModule, ProposalsModule, PeersModule],
  controllers: [PropagationController],
  providers: [PropagationRepository, PropagationService, PropagationJobs],
  exports: [PropagationRepository, PropagationService],
})
export class PropagationModule {}
