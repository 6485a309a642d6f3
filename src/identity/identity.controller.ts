import { Controller, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiRead } from '../common/openapi';
import { KeyIdPipe } from '../common/member-id.pipe';
import { instanceAnswer, InstanceAnswer } from './dto/instance.answers';
import { keyAnswer, KeyAnswer } from './dto/key.answers';
import { InstanceKeyService } from './instance-key.service';
import { KeysService } from './keys.service';

const VERSION: string = (require('../../package.json') as { version: string }).version;

/** Who is who: this instance (its well-known description) and the owner of any key (SPEC §11). */
@ApiTags('identity')
@Controller()
export class IdentityController {
  constructor(
    private readonly instanceKey: InstanceKeyService,
    private readonly keys: KeysService,
  ) {}

  @ApiRead('.well-known/archipel.json', "The instance's name, version and public key (JWK and signed-note verifier key)", instanceAnswer)
  describe(): InstanceAnswer {
    const k = this.instanceKey;
    return { name: k.name, version: VERSION, kid: k.kid, jwk: k.publicJwk, noteKey: k.noteKey };
  }

  @ApiRead('api/v1/keys/:kid', 'Whose key this is (SPEC §11): any key that was ever active, or a recovery key', keyAnswer, 'UNKNOWN_KEY')
  key(@Param('kid', KeyIdPipe) kid: string): Promise<KeyAnswer> {
    return this.keys.key(kid);
  }
}
