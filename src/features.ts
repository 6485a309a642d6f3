// Every feature module, for the API process and the worker process alike (controllers are only
// served by the API).
import { CirclesModule } from './circles/circles.module';
import { ClockModule } from './common/clock.module';
import { DelegationsModule } from './delegations/delegations.module';
import { FederationModule } from './federation/federation.module';
import { IdentityModule } from './identity/identity.module';
import { LedgerModule } from './ledger/ledger.module';
import { PropagationModule } from './propagation/propagation.module';
import { ProposalsModule } from './proposals/proposals.module';
import { RegimesModule } from './regimes/regimes.module';
import { StatementsModule } from './statements/statements.module';
import { WitnessModule } from './witness/witness.module';

export const FEATURE_MODULES = [
  ClockModule,
  IdentityModule,
  LedgerModule,
  ProposalsModule,
  CirclesModule,
  DelegationsModule,
  RegimesModule,
  PropagationModule,
  StatementsModule,
  WitnessModule,
  FederationModule,
];
