import { Module } from '@nestjs/common';
import { InstanceKeyRepository } from './instance-key.repository';
import { InstanceKeyService } from './instance-key.service';
import { MemberKeysService } from './member-keys.service';
import { MembersRepository } from './members.repository';
import { WellKnownController } from './well-known.controller';

/** The instance key, members' public keys, and the well-known document (SPEC §3.2, §3.8). */
@Module({
  controllers: [WellKnownController],
  providers: [InstanceKeyRepository, InstanceKeyService, MembersRepository, MemberKeysService],
  exports: [InstanceKeyService, MembersRepository, MemberKeysService],
})
export class IdentityModule {}
