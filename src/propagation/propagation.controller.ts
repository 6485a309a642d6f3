import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswer, ApiErrors } from '../common/openapi';
import { ProposalIdPipe } from '../common/proposal-id.pipe';
import { receiptsAnswer, ReceiptsAnswer } from '../proposals/dto/proposal.answers';
import { PropagationService } from './propagation.service';

@ApiTags('proposals')
@Controller('api/v1')
export class PropagationController {
  constructor(private readonly propagation: PropagationService) {}

  @Get('proposals/:id/receipts')
  @ApiOperation({ summary: "The child.decision receipts of this proposal's tally in every ancestor so far (SPEC §8), nearest first" })
  @ApiAnswer(receiptsAnswer)
  @ApiErrors('UNKNOWN_PROPOSAL')
  receipts(@Param('id', ProposalIdPipe) id: string): Promise<ReceiptsAnswer> {
    return this.propagation.receiptsOf(id);
  }
}
