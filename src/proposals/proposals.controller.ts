import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ProposalsService } from './proposals.service';

@ApiTags('proposals')
@Controller('api/v1/proposals')
export class ProposalsController {
  constructor(private readonly proposals: ProposalsService) {}

  @Get(':id')
  @ApiOperation({
    summary: 'A proposal: kind, text, regime and frozen params, status; its provisional tally while open, its result once closed',
  })
  proposal(@Param('id') id: string) {
    return this.proposals.read(id);
  }
}
