import { Module } from '@nestjs/common';
import { InstanceKeyRepository } from './instance-key.repository';
import { InstanceKeyService } from './instance-key.service';
import { KeyIndexService } from './key-index.service';
import { KeysRepository } from './keys.repository';
import { MembersRepository } from './members.repository';
import { WellKnownController } from './well-known.controller';

/** The instance key, members' keys over time (SPEC §11), and the well-known document (SPEC §3.2, §3.8). */
@Module({
  controllers: [WellKnownController],
  providers: [InstanceKeyRepository, InstanceKeyService, MembersRepository, KeysRepository, KeyIndexService],
  exports: [InstanceKeyService, MembersRepository, KeysRepository, KeyIndexService],
})
export class IdentityModule {}
