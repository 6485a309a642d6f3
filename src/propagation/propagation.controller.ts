import { Controller, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiRead } from '../common/openapi';
import { ProposalIdPipe } from '../common/proposal-id.pipe';
import { receiptsAnswer, ReceiptsAnswer } from '../proposals/dto/proposal.answers';
import { PropagationService } from './propagation.service';

@ApiTags('proposals')
@Controller('api/v1')
export class PropagationController {
  constructor(private readonly propagation: PropagationService) {}

  @ApiRead('proposals/:id/receipts', "The child.decision receipts of this proposal's tally in every ancestor so far (SPEC §8), nearest first", receiptsAnswer, 'UNKNOWN_PROPOSAL')
  receipts(@Param('id', ProposalIdPipe) id: string): Promise<ReceiptsAnswer> {
    return this.propagation.receiptsOf(id);
  }
}
