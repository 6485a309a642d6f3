import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfigService } from '../config/app-config';
import { openDataSource, runMigrations } from './data-source';

@Global()
@Module({
  providers: [
    {
      provide: DataSource,
      inject: [AppConfigService],
      useFactory: async (config: AppConfigService) => {
        const ds = await openDataSource({
          url: config.databaseUrl,
          poolSize: config.get('DATABASE_POOL_SIZE'),
          embedded: config.embeddedDatabase,
        });
        if (config.get('RUN_MIGRATIONS')) {
          const ran = await runMigrations(ds);
          if (ran.length) new Logger('Database').log(`Migrations applied: ${ran.join(', ')}`);
        }
        return ds;
      },
    },
  ],
  exports: [DataSource],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.ds.isInitialized) await this.ds.destroy();
  }
}
