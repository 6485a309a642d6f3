import { Global, Module } from '@nestjs/common';
import { CirclesModule } from '../circles/circles.module';
import { EffectProjector } from '../ledger/effect-projector';
import { LedgerModule } from '../ledger/ledger.module';
import { PropagationModule } from '../propagation/propagation.module';
import { PeersModule } from '../federation/peers.module';
import { ProposalsModule } from '../proposals/proposals.module';
import { RegimesModule } from '../regimes/regimes.module';
import { Projections } from './projections';
import { StatementsRoute } from './statements.route';
import { StatementsService } from './statements.service';

/**
 * Submitting statements (`POST /api/v1/statements`), and the projector through which the ledger's
 * writer updates every feature's tables. Global: the writer (in the ledger, below every feature)
 * receives the projector without importing the features it projects into.
 */
@Global()
@Module({
  imports: [LedgerModule, CirclesModule, ProposalsModule, RegimesModule, PropagationModule, PeersModule],
  providers: [Projections, { provide: EffectProjector, useExisting: Projections }, StatementsService, StatementsRoute],
  exports: [EffectProjector, StatementsService],
})
export class StatementsModule {}
