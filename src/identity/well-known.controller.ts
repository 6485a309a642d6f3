import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswer, ApiErrors } from '../common/openapi';
import { instanceAnswer, InstanceAnswer } from './dto/instance.answers';
import { InstanceKeyService } from './instance-key.service';

const VERSION: string = (require('../../package.json') as { version: string }).version;

@ApiTags('identity')
@Controller('.well-known')
export class WellKnownController {
  constructor(private readonly instanceKey: InstanceKeyService) {}

  @Get('archipel.json')
  @ApiOperation({ summary: "The instance's name, version and public key (JWK and signed-note verifier key)" })
  @ApiAnswer(instanceAnswer)
  @ApiErrors()
  describe(): InstanceAnswer {
    const k = this.instanceKey;
    return { name: k.name, version: VERSION, kid: k.kid, jwk: k.publicJwk, noteKey: k.noteKey };
  }
}
