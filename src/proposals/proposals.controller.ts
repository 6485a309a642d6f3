import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CircleIdPipe } from '../common/circle-id.pipe';
import { MemberIdPipe } from '../common/member-id.pipe';
import { ApiAnswer, ApiErrors, ApiRead } from '../common/openapi';
import { ProposalIdPipe } from '../common/proposal-id.pipe';
import { ZodPipe } from '../common/zod.pipe';
import { PROPOSAL_KINDS } from '../core/formats/vocabulary';
import {
  proposalAnswer,
  ProposalAnswer,
  proposalPageAnswer,
  ProposalPageAnswer,
  PROPOSAL_STATUSES,
  weightAnswer,
  WeightAnswer,
} from './dto/proposal.answers';
import { ProposalsService } from './proposals.service';

const pageQuery = z.object({
  status: z.enum(PROPOSAL_STATUSES).optional(),
  kind: z.enum(PROPOSAL_KINDS).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  after: z.string().min(1).optional(),
});

@ApiTags('proposals')
@Controller('api/v1')
export class ProposalsController {
  constructor(private readonly proposals: ProposalsService) {}

  @ApiRead('circles/:id/proposals', "A circle's proposals, newest first, a page at a time (`next` is the cursor of the next page)", proposalPageAnswer, 'UNKNOWN_CIRCLE', 'INVALID_REQUEST')
  @ApiQuery({ name: 'status', required: false, enum: PROPOSAL_STATUSES })
  @ApiQuery({ name: 'kind', required: false, enum: PROPOSAL_KINDS })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1 to 100; 20 by default' })
  @ApiQuery({ name: 'after', required: false, description: 'The `next` of the previous page' })
  list(@Param('id', CircleIdPipe) id: string, @Query(new ZodPipe(pageQuery)) q: z.infer<typeof pageQuery>): Promise<ProposalPageAnswer> {
    return this.proposals.list(id, q);
  }

  @Get('proposals/:id')
  @ApiOperation({
    summary: 'A proposal: kind, text, regime and frozen params, status; its provisional tally while open, its result once closed',
  })
  @ApiAnswer(proposalAnswer)
  @ApiErrors('UNKNOWN_PROPOSAL')
  proposal(@Param('id', ProposalIdPipe) id: string): Promise<ProposalAnswer> {
    return this.proposals.read(id);
  }

  @ApiRead('proposals/:id/weights/:member', "How a member's weight was cast on this proposal (state at close), or is cast now while it is open", weightAnswer, 'UNKNOWN_PROPOSAL', 'UNKNOWN_MEMBER', 'NOT_ELIGIBLE')
  weight(@Param('id', ProposalIdPipe) id: string, @Param('member', MemberIdPipe) member: string): Promise<WeightAnswer> {
    return this.proposals.weight(id, member);
  }
}
