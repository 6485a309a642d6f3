import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CircleIdPipe } from '../common/circle-id.pipe';
import { CirclesService } from './circles.service';

@ApiTags('circles')
@Controller('api/v1')
export class CirclesController {
  constructor(private readonly circles: CirclesService) {}

  @Get('circles/:id')
  @ApiOperation({ summary: "A circle's current state: name, parent, children, members, regime, params and log size" })
  circle(@Param('id', CircleIdPipe) id: string) {
    return this.circles.circle(id);
  }

  @Get('members/:id')
  @ApiOperation({ summary: "A registered member's name and public key" })
  member(@Param('id') id: string) {
    return this.circles.member(id);
  }
}
