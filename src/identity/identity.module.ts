import { Module } from '@nestjs/common';
import { AppConfigService } from '../config/app-config';
import { IdentityController } from './identity.controller';
import { FileKeySource, INSTANCE_KEY_SOURCE, InstanceKeySource } from './instance-key-source';
import { InstanceKeyRepository } from './instance-key.repository';
import { InstanceKeyService } from './instance-key.service';
import { KeyIndexService } from './key-index.service';
import { KeysRepository } from './keys.repository';
import { KeysService } from './keys.service';
import { MembersRepository } from './members.repository';

/** The instance key, members' keys over time (SPEC §11), and the well-known document (SPEC §3.2, §3.8). */
@Module({
  controllers: [IdentityController],
  providers: [
    {
      provide: INSTANCE_KEY_SOURCE,
      inject: [AppConfigService],
      useFactory: (config: AppConfigService): InstanceKeySource => new FileKeySource(config.instanceKeyFile),
    },
    InstanceKeyRepository, InstanceKeyService, MembersRepository, KeysRepository, KeyIndexService, KeysService],
  exports: [InstanceKeyService, MembersRepository, KeysRepository, KeyIndexService, KeysService],
})
export class IdentityModule {}
