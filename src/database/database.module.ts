import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfigService } from '../config/app-config';
import { openDataSource, runMigrations } from './data-source';
import { setInstanceKeyFile } from './instance-key-file';
import { grantServiceRole, roleOf } from './roles';

@Global()
@Module({
  providers: [
    {
      provide: DataSource,
      inject: [AppConfigService],
      useFactory: async (config: AppConfigService) => {
        const logger = new Logger('Database');
        const options = { poolSize: config.get('DATABASE_POOL_SIZE'), embedded: config.embeddedDatabase };
        const ownerUrl = config.ownerDatabaseUrl;
        if (config.get('RUN_MIGRATIONS')) {
          setInstanceKeyFile(config.instanceKeyFile);
          // Migrations and grants as the owner, then the service's pool as the service role.
          const owner = ownerUrl ? await openDataSource({ ...options, url: ownerUrl, poolSize: 1 }) : null;
          try {
            const ds = owner ?? (await openDataSource({ ...options, url: config.databaseUrl }));
            const ran = await runMigrations(ds);
            if (ran.length) logger.log(`Migrations applied: ${ran.join(', ')}`);
            if (!owner) return ds;
            await grantServiceRole(owner, roleOf(config.databaseUrl));
          } finally {
            if (owner) await owner.destroy();
          }
        }
        return openDataSource({ ...options, url: config.databaseUrl });
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
