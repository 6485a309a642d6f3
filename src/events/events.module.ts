import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { ProposalsModule } from '../proposals/proposals.module';
import { EventStreamsService } from './event-streams.service';
import { EventsController } from './events.controller';
import { LogEventsHub } from './log-events.hub';

/** The per-circle event streams of the API (the writer's publishing side is in LedgerModule). */
@Module({
  imports: [LedgerModule, ProposalsModule],
  controllers: [EventsController],
  providers: [LogEventsHub, EventStreamsService],
})
export class EventsModule {}
