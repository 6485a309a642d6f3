import { Module } from '@nestjs/common';
import { CirclesController } from '../circles/circles.controller';
import { CirclesRepository } from '../circles/circles.repository';
import { CirclesService } from '../circles/circles.service';
import { ForksService } from '../circles/forks.service';
import { InstanceKeyRepository } from '../identity/instance-key.repository';
import { InstanceKeyService } from '../identity/instance-key.service';
import { MemberKeysService } from '../identity/member-keys.service';
import { WellKnownController } from '../identity/well-known.controller';
import { DelegationsController } from '../delegations/delegations.controller';
import { DelegationsService } from '../delegations/delegations.service';
import { LogEventsPublisher } from '../events/log-events.publisher';
import { PropagationJobs } from '../propagation/propagation.jobs';
import { PropagationRepository } from '../propagation/propagation.repository';
import { PropagationService } from '../propagation/propagation.service';
import { ProposalJobs } from '../proposals/proposal.jobs';
import { RegimesRepository } from '../regimes/regimes.repository';
import { RegimesService } from '../regimes/regimes.service';
import { ProposalsController } from '../proposals/proposals.controller';
import { ProposalsRepository } from '../proposals/proposals.repository';
import { ProposalsService } from '../proposals/proposals.service';
import { Projections } from '../statements/projections';
import { StatementsRoute } from '../statements/statements.route';
import { StatementsService } from '../statements/statements.service';
import { CheckpointJobs } from './checkpoint.jobs';
import { LedgerRepository } from './ledger.repository';
import { LedgerService } from './ledger.service';
import { LedgerWriter } from './ledger-writer';
import { LogsController } from './logs.controller';

/** Logs, their writer and readers, and the statement pipeline that feeds them. */
@Module({
  controllers: [LogsController, CirclesController, WellKnownController, ProposalsController, DelegationsController],
  providers: [
    LedgerRepository,
    LedgerService,
    LedgerWriter,
    LogEventsPublisher,
    CirclesRepository,
    CirclesService,
    InstanceKeyRepository,
    InstanceKeyService,
    MemberKeysService,
    StatementsService,
    StatementsRoute,
    CheckpointJobs,
    ProposalsRepository,
    ProposalsService,
    ProposalJobs,
    Projections,
    DelegationsService,
    PropagationRepository,
    PropagationService,
    PropagationJobs,
    RegimesRepository,
    RegimesService,
    ForksService,
  ],
  exports: [LedgerRepository, LedgerService, LedgerWriter, CirclesRepository, InstanceKeyService, StatementsService, ProposalsService],
})
export class LedgerModule {}
