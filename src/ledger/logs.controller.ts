import { Controller, Get, Header, Param, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { CircleIdPipe } from '../common/circle-id.pipe';
import { ApiErrors, ApiRead, ApiTextAnswer } from '../common/openapi';
import { seqNumber, ZodPipe } from '../common/zod.pipe';
import { REGISTRY } from '../core/rules/state';
import { consistencyProofAnswer, ConsistencyProofAnswer, inclusionProofAnswer, InclusionProofAnswer } from './dto/proof.answers';
import { CosignedCheckpointSource } from './cosigned-checkpoints';
import { LedgerService } from './ledger.service';

const fromQuery = z.object({ from: seqNumber.default(0) });
const inclusionQuery = z.object({ seq: seqNumber, size: seqNumber.optional() });
const consistencyQuery = z.object({ from: seqNumber, to: seqNumber.optional() });
const checkpointQuery = z.object({ cosigned: z.enum(['0', '1', 'true', 'false']).optional() });
const NDJSON = 'application/x-ndjson';

@ApiTags('logs')
@Controller('api/v1')
export class LogsController {
  constructor(
    private readonly ledger: LedgerService,
    private readonly cosigned: CosignedCheckpointSource,
  ) {}

  @Get('circles/:id/log')
  @ApiOperation({ summary: "The circle's log as JSON Lines, one entry per line, in seq order (SPEC §3.5)" })
  @ApiQuery({ name: 'from', required: false, type: Number })
  @ApiTextAnswer(NDJSON, 'One entry per line (SPEC §3.5), exactly as stored')
  @ApiErrors('UNKNOWN_CIRCLE', 'INVALID_REQUEST')
  async circleLog(@Param('id', CircleIdPipe) id: string, @Query(new ZodPipe(fromQuery)) q: z.infer<typeof fromQuery>, @Res() reply: FastifyReply) {
    await this.ledger.head(id);
    return reply.type(NDJSON).send(Readable.from(this.ledger.lines(id, q.from)));
  }

  @Get('circles/:id/checkpoint')
  @Header('content-type', 'text/plain; charset=utf-8')
  @ApiOperation({
    summary: 'A C2SP signed checkpoint covering the whole current log (SPEC §3.6); with `cosigned=1`, the newest one that meets the witness policy, cosignatures included (SPEC §12.1)',
  })
  @ApiQuery({ name: 'cosigned', required: false, enum: ['0', '1'] })
  @ApiTextAnswer('text/plain', 'A C2SP signed note')
  @ApiErrors('UNKNOWN_CIRCLE', 'NO_COSIGNED_CHECKPOINT', 'INVALID_REQUEST')
  async circleCheckpoint(@Param('id', CircleIdPipe) id: string, @Query(new ZodPipe(checkpointQuery)) q: z.infer<typeof checkpointQuery>) {
    if (q.cosigned === '1' || q.cosigned === 'true') {
      await this.ledger.head(id);
      return this.cosigned.newest(id);
    }
    return this.ledger.checkpoint(id);
  }

  @ApiRead('circles/:id/proof/inclusion', 'RFC 6962 inclusion proof of entry `seq` in the tree of `size` (default: current size)', inclusionProofAnswer, 'UNKNOWN_CIRCLE', 'INVALID_RANGE', 'PROOF_MISMATCH')
  inclusion(@Param('id', CircleIdPipe) id: string, @Query(new ZodPipe(inclusionQuery, 'INVALID_RANGE')) q: z.infer<typeof inclusionQuery>): Promise<InclusionProofAnswer> {
    return this.ledger.inclusion(id, q.seq, q.size);
  }

  @ApiRead('circles/:id/proof/consistency', 'RFC 6962 consistency proof between tree sizes `from` and `to` (default: current size)', consistencyProofAnswer, 'UNKNOWN_CIRCLE', 'INVALID_RANGE', 'PROOF_MISMATCH')
  consistency(@Param('id', CircleIdPipe) id: string, @Query(new ZodPipe(consistencyQuery, 'INVALID_RANGE')) q: z.infer<typeof consistencyQuery>): Promise<ConsistencyProofAnswer> {
    return this.ledger.consistency(id, q.from, q.to);
  }

  @Get('registry/log')
  @ApiOperation({ summary: 'The instance registry log (every member.register) as JSON Lines' })
  @ApiQuery({ name: 'from', required: false, type: Number })
  @ApiTextAnswer(NDJSON, 'One entry per line, exactly as stored')
  @ApiErrors('INVALID_REQUEST')
  registryLog(@Query(new ZodPipe(fromQuery)) q: z.infer<typeof fromQuery>, @Res() reply: FastifyReply) {
    return reply.type(NDJSON).send(Readable.from(this.ledger.lines(REGISTRY, q.from)));
  }

  @Get('registry/checkpoint')
  @Header('content-type', 'text/plain; charset=utf-8')
  @ApiOperation({ summary: 'A signed checkpoint of the registry log' })
  @ApiQuery({ name: 'cosigned', required: false, enum: ['0', '1'] })
  @ApiTextAnswer('text/plain', 'A C2SP signed note')
  @ApiErrors('NO_COSIGNED_CHECKPOINT', 'INVALID_REQUEST')
  registryCheckpoint(@Query(new ZodPipe(checkpointQuery)) q: z.infer<typeof checkpointQuery>) {
    if (q.cosigned === '1' || q.cosigned === 'true') return this.cosigned.newest(REGISTRY);
    return this.ledger.checkpoint(REGISTRY);
  }

  @ApiRead('registry/proof/inclusion', 'Inclusion proof in the registry log', inclusionProofAnswer, 'INVALID_RANGE', 'PROOF_MISMATCH')
  registryInclusion(@Query(new ZodPipe(inclusionQuery, 'INVALID_RANGE')) q: z.infer<typeof inclusionQuery>): Promise<InclusionProofAnswer> {
    return this.ledger.inclusion(REGISTRY, q.seq, q.size);
  }

  @ApiRead('registry/proof/consistency', 'Consistency proof in the registry log', consistencyProofAnswer, 'INVALID_RANGE', 'PROOF_MISMATCH')
  registryConsistency(@Query(new ZodPipe(consistencyQuery, 'INVALID_RANGE')) q: z.infer<typeof consistencyQuery>): Promise<ConsistencyProofAnswer> {
    return this.ledger.consistency(REGISTRY, q.from, q.to);
  }
}
