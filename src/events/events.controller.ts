import { Controller, Get, Headers, Param, Query, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CircleIdPipe } from '../common/circle-id.pipe';
import { ApiErrors, ApiTextAnswer } from '../common/openapi';
import { seqNumber, ZodPipe } from '../common/zod.pipe';
import { EventStreamsService } from './event-streams.service';

const streamQuery = z.object({ after: seqNumber.optional() });

@ApiTags('events')
@Controller('api/v1')
export class EventsController {
  constructor(private readonly streams: EventStreamsService) {}

  @Get('circles/:id/events')
  @ApiOperation({
    summary: "The circle's live events (server-sent events)",
    description:
      'An `entry` event (`id`: the seq; data: EntryEvent) for every new entry of the log, and a `tally` event (data: TallyEvent) ' +
      'when an entry moves an open proposal\'s provisional tally. `Last-Event-ID` (or `after`, for a first connection) resumes after ' +
      'that seq: the entries since are sent first. A comment line every 15 s keeps the stream open.',
  })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'The seq of the last entry event received' })
  @ApiQuery({ name: 'after', required: false, type: Number, description: 'Send the entries after this seq first' })
  @ApiTextAnswer('text/event-stream', 'Events: `entry` (EntryEvent) and `tally` (TallyEvent)')
  @ApiErrors('UNKNOWN_CIRCLE', 'INVALID_REQUEST')
  events(
    @Param('id', CircleIdPipe) id: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Query(new ZodPipe(streamQuery)) q: z.infer<typeof streamQuery>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return this.streams.stream(id, { lastEventId, after: q.after }, request, reply);
  }
}
