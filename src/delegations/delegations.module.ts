import { Module } from '@nestjs/common';
import { ProposalsModule } from '../proposals/proposals.module';
import { DelegationsController } from './delegations.controller';
import { DelegationsService } from './delegations.service';

/** Reading delegations and how weight flows (SPEC §5.2). */
@Module({
  imports: [ProposalsModule],
  controllers: [DelegationsController],
  providers: [DelegationsService],
})
export class DelegationsModule {}
