import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { ProposalsModule } from '../proposals/proposals.module';
import { CirclesController } from './circles.controller';
import { CirclesRepository } from './circles.repository';
import { CirclesService } from './circles.service';
import { ForksService } from './forks.service';

/** Circles, members and memberships, and forks (SPEC §4, §7). */
@Module({
  imports: [LedgerModule, ProposalsModule],
  controllers: [CirclesController],
  providers: [CirclesRepository, CirclesService, ForksService],
  exports: [CirclesRepository],
})
export class CirclesModule {}
