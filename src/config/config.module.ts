import { Global, Module } from '@nestjs/common';
import { AppConfigService } from './app-config';
import { parseConfig } from './config.schema';

@Global()
@Module({
  providers: [{ provide: AppConfigService, useFactory: () => new AppConfigService(parseConfig(process.env)) }],
  exports: [AppConfigService],
})
export class ConfigModule {}
