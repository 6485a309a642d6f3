import { Controller, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiRead } from '../common/openapi';
import { KeyIdPipe } from '../common/member-id.pipe';
import { keyAnswer, KeyAnswer } from './dto/key.answers';
import { KeysService } from './keys.service';

@ApiTags('identity')
@Controller('api/v1')
export class KeysController {
  constructor(private readonly keys: KeysService) {}

  @ApiRead('keys/:kid', 'Whose key this is (SPEC §11): any key that was ever active, or a recovery key', keyAnswer, 'UNKNOWN_KEY')
  key(@Param('kid', KeyIdPipe) kid: string): Promise<KeyAnswer> {
    return this.keys.key(kid);
  }
}
