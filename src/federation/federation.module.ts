import { Module } from '@nestjs/common';
import { CirclesModule } from '../circles/circles.module';
import { LedgerModule } from '../ledger/ledger.module';
import { PropagationModule } from '../propagation/propagation.module';
import { ProposalsModule } from '../proposals/proposals.module';
import { FederationController } from './federation.controller';
import { FederationJobs } from './federation.jobs';
import { FederationReads } from './federation-reads';
import { FederationService } from './federation.service';
import { PeersModule } from './peers.module';

/**
 * Circles across instances (SPEC §12.2): the routes peers post to (children, receipts, members)
 * and the job that announces a new circle to its parent's instance. What is sent to peers is the
 * peers module's, below the features that send.
 */
@Module({
  imports: [LedgerModule, CirclesModule, PropagationModule, ProposalsModule, PeersModule],
  controllers: [FederationController],
  providers: [FederationService, FederationReads, FederationJobs],
})
export class FederationModule {}
