import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswer, ApiErrors } from '../common/openapi';
import { KeyIdPipe } from '../common/member-id.pipe';
import { keyAnswer, KeyAnswer } from './dto/key.answers';
import { KeysService } from './keys.service';

@ApiTags('identity')
@Controller('api/v1')
export class KeysController {
  constructor(private readonly keys: KeysService) {}

  @Get('keys/:kid')
  @ApiOperation({ summary: 'Whose key this is (SPEC §11): any key that was ever active, or a recovery key' })
  @ApiAnswer(keyAnswer)
  @ApiErrors('UNKNOWN_KEY')
  key(@Param('kid', KeyIdPipe) kid: string): Promise<KeyAnswer> {
    return this.keys.key(kid);
  }
}
