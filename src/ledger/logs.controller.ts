import { Controller, Get, Header, Param, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { CircleIdPipe } from '../common/circle-id.pipe';
import { seqNumber, ZodPipe } from '../common/zod.pipe';
import { REGISTRY } from '../core/rules/state';
import { LedgerService } from './ledger.service';

const fromQuery = z.object({ from: seqNumber.default(0) });
const inclusionQuery = z.object({ seq: seqNumber, size: seqNumber.optional() });
const consistencyQuery = z.object({ from: seqNumber, to: seqNumber.optional() });
const NDJSON = 'application/x-ndjson';

@ApiTags('logs')
@Controller('api/v1')
export class LogsController {
  constructor(private readonly ledger: LedgerService) {}

  @Get('circles/:id/log')
  @ApiOperation({ summary: "The circle's log as JSON Lines, one entry per line, in seq order (SPEC §3.5)" })
  @ApiQuery({ name: 'from', required: false, type: Number })
  @ApiProduces(NDJSON)
  async circleLog(@Param('id', CircleIdPipe) id: string, @Query(new ZodPipe(fromQuery)) q: z.infer<typeof fromQuery>, @Res() reply: FastifyReply) {
    await this.ledger.head(id);
    return reply.type(NDJSON).send(Readable.from(this.ledger.lines(id, q.from)));
  }

  @Get('circles/:id/checkpoint')
  @Header('content-type', 'text/plain; charset=utf-8')
  @ApiOperation({ summary: 'A C2SP signed checkpoint covering the whole current log (SPEC §3.6)' })
  @ApiProduces('text/plain')
  circleCheckpoint(@Param('id', CircleIdPipe) id: string) {
    return this.ledger.checkpoint(id);
  }

  @Get('circles/:id/proof/inclusion')
  @ApiOperation({ summary: 'RFC 6962 inclusion proof of entry `seq` in the tree of `size` (default: current size)' })
  inclusion(@Param('id', CircleIdPipe) id: string, @Query(new ZodPipe(inclusionQuery, 'INVALID_RANGE')) q: z.infer<typeof inclusionQuery>) {
    return this.ledger.inclusion(id, q.seq, q.size);
  }

  @Get('circles/:id/proof/consistency')
  @ApiOperation({ summary: 'RFC 6962 consistency proof between tree sizes `from` and `to` (default: current size)' })
  consistency(@Param('id', CircleIdPipe) id: string, @Query(new ZodPipe(consistencyQuery, 'INVALID_RANGE')) q: z.infer<typeof consistencyQuery>) {
    return this.ledger.consistency(id, q.from, q.to);
  }

  @Get('registry/log')
  @ApiOperation({ summary: 'The instance registry log (every member.register) as JSON Lines' })
  @ApiQuery({ name: 'from', required: false, type: Number })
  @ApiProduces(NDJSON)
  registryLog(@Query(new ZodPipe(fromQuery)) q: z.infer<typeof fromQuery>, @Res() reply: FastifyReply) {
    return reply.type(NDJSON).send(Readable.from(this.ledger.lines(REGISTRY, q.from)));
  }

  @Get('registry/checkpoint')
  @Header('content-type', 'text/plain; charset=utf-8')
  @ApiOperation({ summary: 'A signed checkpoint of the registry log' })
  registryCheckpoint() {
    return this.ledger.checkpoint(REGISTRY);
  }

  @Get('registry/proof/inclusion')
  @ApiOperation({ summary: 'Inclusion proof in the registry log' })
  registryInclusion(@Query(new ZodPipe(inclusionQuery, 'INVALID_RANGE')) q: z.infer<typeof inclusionQuery>) {
    return this.ledger.inclusion(REGISTRY, q.seq, q.size);
  }

  @Get('registry/proof/consistency')
  @ApiOperation({ summary: 'Consistency proof in the registry log' })
  registryConsistency(@Query(new ZodPipe(consistencyQuery, 'INVALID_RANGE')) q: z.infer<typeof consistencyQuery>) {
    return this.ledger.consistency(REGISTRY, q.from, q.to);
  }
}
