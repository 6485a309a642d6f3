import { Controller } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiRead } from '../common/openapi';
import { instanceAnswer, InstanceAnswer } from './dto/instance.answers';
import { InstanceKeyService } from './instance-key.service';

const VERSION: string = (require('../../package.json') as { version: string }).version;

@ApiTags('identity')
@Controller('.well-known')
export class WellKnownController {
  constructor(private readonly instanceKey: InstanceKeyService) {}

  @ApiRead('archipel.json', "The instance's name, version and public key (JWK and signed-note verifier key)", instanceAnswer)
  describe(): InstanceAnswer {
    const k = this.instanceKey;
    return { name: k.name, version: VERSION, kid: k.kid, jwk: k.publicJwk, noteKey: k.noteKey };
  }
}
