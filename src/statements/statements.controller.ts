import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { StatementsService } from './statements.service';

@ApiTags('statements')
@Controller('api/v1/statements')
export class StatementsController {
  constructor(private readonly statements: StatementsService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Submit a signed statement',
    description:
      'The compact JWS of a statement (SPEC §3.3). Verified, then appended to its log in one transaction. ' +
      'Answers the entry (circle, seq, leaf hash), plus `id` for a genesis (the circle id) or a proposal.',
  })
  @ApiBody({ schema: { type: 'object', required: ['jws'], properties: { jws: { type: 'string' } } } })
  @ApiCreatedResponse({
    schema: { type: 'object', properties: { circle: { type: 'string' }, seq: { type: 'integer' }, leaf: { type: 'string' }, id: { type: 'string' } } },
  })
  submit(@Body() body: { jws?: unknown } | null) {
    return this.statements.submit(body?.jws);
  }
}
