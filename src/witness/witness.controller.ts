import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiAnswer, ApiErrors } from '../common/openapi';
import { ZodPipe } from '../common/zod.pipe';
import { evidenceAnswer, EvidenceAnswer, witnessAnswer, WitnessAnswer } from './dto/witness.answers';
import { WitnessService } from './witness.service';

const evidenceQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });

@ApiTags('witness')
@Controller('witness')
export class WitnessController {
  constructor(private readonly witness: WitnessService) {}

  @Get()
  @ApiOperation({ summary: "This instance's witness: its name, cosignature/v1 key and the logs it witnesses (SPEC §12.1)" })
  @ApiAnswer(witnessAnswer)
  @ApiErrors()
  describe(): WitnessAnswer {
    return this.witness.describe();
  }

  @Get('evidence')
  @ApiOperation({ summary: 'Requests that proved a fork of a witnessed log, newest first (kept forever)' })
  @ApiAnswer(evidenceAnswer)
  @ApiErrors('INVALID_REQUEST')
  async evidence(@Query(new ZodPipe(evidenceQuery)) q: z.infer<typeof evidenceQuery>): Promise<EvidenceAnswer> {
    return { items: await this.witness.evidence(q.limit) };
  }
}
