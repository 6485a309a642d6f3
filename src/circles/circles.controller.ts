import { Controller, Param, Query } from '@nestjs/common';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CircleIdPipe } from '../common/circle-id.pipe';
import { MemberIdPipe } from '../common/member-id.pipe';
import { ApiRead } from '../common/openapi';
import { ZodPipe } from '../common/zod.pipe';
import { CirclesService } from './circles.service';
import {
  circleAnswer,
  CircleAnswer,
  circleListAnswer,
  CircleListAnswer,
  forksAnswer,
  ForksAnswer,
  invitationsAnswer,
  InvitationsAnswer,
  memberAnswer,
  MemberAnswer,
  memberCirclesAnswer,
  MemberCirclesAnswer,
} from './dto/circle.answers';

const listQuery = z.object({ parent: z.string().min(1).optional() });

@ApiTags('circles')
@Controller('api/v1')
export class CirclesController {
  constructor(private readonly circles: CirclesService) {}

  @ApiRead('circles', 'The circles of this instance: all of them, the roots (`parent=root`), or the children of one circle', circleListAnswer, 'UNKNOWN_CIRCLE', 'INVALID_REQUEST')
  @ApiQuery({ name: 'parent', required: false, description: 'A circle id, or `root`' })
  list(@Query(new ZodPipe(listQuery)) q: z.infer<typeof listQuery>): Promise<CircleListAnswer> {
    return this.circles.list(q.parent);
  }

  @ApiRead('circles/:id', "A circle's current state: name, parent, children, members, regime, params, log size, and where it was forked from", circleAnswer, 'UNKNOWN_CIRCLE')
  circle(@Param('id', CircleIdPipe) id: string): Promise<CircleAnswer> {
    return this.circles.circle(id);
  }

  @ApiRead('circles/:id/forks', 'The circles forked out of this one (SPEC §7), oldest first', forksAnswer, 'UNKNOWN_CIRCLE')
  forks(@Param('id', CircleIdPipe) id: string): Promise<ForksAnswer> {
    return this.circles.forks(id);
  }

  @ApiRead('members/:id', "A registered member's name, registration key, keys over time and recovery key (SPEC §11)", memberAnswer, 'UNKNOWN_MEMBER')
  member(@Param('id', MemberIdPipe) id: string): Promise<MemberAnswer> {
    return this.circles.member(id);
  }

  @ApiRead('members/:id/circles', 'The circles she is a current member of, by name', memberCirclesAnswer, 'UNKNOWN_MEMBER')
  memberCircles(@Param('id', MemberIdPipe) id: string): Promise<MemberCirclesAnswer> {
    return this.circles.circlesOfMember(id);
  }

  @ApiRead('members/:id/invitations', 'Her pending invitations: not accepted, in circles she is not a member of; newest first', invitationsAnswer, 'UNKNOWN_MEMBER')
  invitations(@Param('id', MemberIdPipe) id: string): Promise<InvitationsAnswer> {
    return this.circles.invitationsOf(id);
  }
}
