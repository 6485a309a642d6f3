import { Module } from '@nestjs/common';
import { AppConfigService } from '../config/app-config';
import { FileKeySource, INSTANCE_KEY_SOURCE, InstanceKeySource } from './instance-key-source';
import { InstanceKeyRepository } from './instance-key.repository';
import { InstanceKeyService } from './instance-key.service';
import { MemberKeysService } from './member-keys.service';
import { MembersRepository } from './members.repository';
import { WellKnownController } from './well-known.controller';

/** The instance key, members' public keys, and the well-known document (SPEC §3.2, §3.8). */
@Module({
  controllers: [WellKnownController],
  providers: [
    {
      provide: INSTANCE_KEY_SOURCE,
      inject: [AppConfigService],
      useFactory: (config: AppConfigService): InstanceKeySource => new FileKeySource(config.instanceKeyFile),
    },
    InstanceKeyRepository, InstanceKeyService, MembersRepository, MemberKeysService],
  exports: [InstanceKeyService, MembersRepository, MemberKeysService],
})
export class IdentityModule {}
