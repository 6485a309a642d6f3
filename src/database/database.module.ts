import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfigService } from '../config/app-config';
import { openDataSource, runMigrations } from './data-source';
import { setInstanceKeyFile } from './instance-key-file';
import { canMigrate, migrateAndGrant, pendingMigrations, schemaBehind } from './schema';

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
        const migrate = config.get('RUN_MIGRATIONS');
        // Migrations and grants as the owner, then the service's pool as the service role.
        if (migrate && ownerUrl) {
          const ran = await migrateAndGrant({ ownerUrl, serviceUrl: config.databaseUrl, instanceKeyFile: config.instanceKeyFile, embedded: options.embedded });
          if (ran.length) logger.log(`Migrations applied: ${ran.join(', ')}`);
        }
        const ds = await openDataSource({ ...options, url: config.databaseUrl });
        try {
          const pending = await pendingMigrations(ds);
          if (pending.length) {
            // Without an owner URL, a role that may create tables migrates itself (one role: the
            // embedded default, `npm start`); the service role of a two-role deployment may not.
            // (dist/main.js and dist/worker.js refuse this earlier, without a stack: refuseSchemaBehind.)
            if (!migrate) throw schemaBehind(pending, 'this process does not migrate (RUN_MIGRATIONS=false)');
            if (!(await canMigrate(ds))) throw schemaBehind(pending, 'this process holds no DATABASE_OWNER_URL, and its role (DATABASE_URL) cannot create tables');
            setInstanceKeyFile(config.instanceKeyFile);
            const ran = await runMigrations(ds);
            if (ran.length) logger.log(`Migrations applied: ${ran.join(', ')}`);
          }
        } catch (error) {
          await ds.destroy();
          throw error;
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
