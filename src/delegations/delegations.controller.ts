import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CircleIdPipe } from '../common/circle-id.pipe';
import { MemberIdPipe } from '../common/member-id.pipe';
import { ApiAnswer, ApiErrors, ApiRead } from '../common/openapi';
import { ZodPipe } from '../common/zod.pipe';
import { DelegationsService } from './delegations.service';
import { circleDelegationsAnswer, CircleDelegationsAnswer, memberDelegationsAnswer, MemberDelegationsAnswer } from './dto/delegation.answers';

const graphQuery = z.object({ proposal: z.string().min(1).optional() });

@ApiTags('delegations')
@Controller('api/v1')
export class DelegationsController {
  constructor(private readonly delegations: DelegationsService) {}

  @Get('circles/:id/delegations')
  @ApiOperation({
    summary: "A circle's delegation graph",
    description:
      'Current delegations per member and scope. With `proposal`: each member\'s effective delegation for it, the weight each direct voter carries, lost and absent weight, and cycles (SPEC §5.2).',
  })
  @ApiQuery({ name: 'proposal', required: false })
  @ApiAnswer(circleDelegationsAnswer)
  @ApiErrors('UNKNOWN_CIRCLE', 'UNKNOWN_PROPOSAL', 'INVALID_REQUEST')
  circle(@Param('id', CircleIdPipe) id: string, @Query(new ZodPipe(graphQuery)) q: z.infer<typeof graphQuery>): Promise<CircleDelegationsAnswer> {
    return this.delegations.circleGraph(id, q.proposal);
  }

  @ApiRead('members/:id/delegations', "A member's current outgoing and incoming delegations, in every circle", memberDelegationsAnswer, 'UNKNOWN_MEMBER')
  member(@Param('id', MemberIdPipe) id: string): Promise<MemberDelegationsAnswer> {
    return this.delegations.ofMember(id);
  }
}
