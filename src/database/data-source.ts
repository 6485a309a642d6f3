import { DataSource, DataSourceOptions } from 'typeorm';
import { migrations } from './migrations';

export interface DatabaseOptions {
  url: string;
  poolSize: number;
  /** The embedded PGlite is a single session: one connection only. */
  embedded?: boolean;
}

export function dataSourceOptions(options: DatabaseOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: options.url,
    migrations,
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: ['error'],
    poolSize: options.embedded ? 1 : options.poolSize,
    extra: {
      max: options.embedded ? 1 : options.poolSize,
      application_name: 'archipel',
      // The writer's transactions rely on READ COMMITTED (row locks on log heads, then fresh reads);
      // set it for the session here rather than with a second round trip per transaction. The
      // embedded PGlite has only its default, which is the same.
      ...(options.embedded ? {} : { options: '-c default_transaction_isolation=read\\ committed' }),
    },
  };
}

export async function openDataSource(options: DatabaseOptions): Promise<DataSource> {
  // The embedded PGlite serves one connection at a time: one that was just closed (a restart, the
  // previous test file) may hold the slot a moment longer, and the server then drops a new one.
  const attempts = options.embedded ? 50 : 1;
  for (let attempt = 1; ; attempt++) {
    const ds = new DataSource(dataSourceOptions(options));
    try {
      await ds.initialize();
      return ds;
    } catch (error) {
      if (attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export async function runMigrations(ds: DataSource): Promise<string[]> {
  const done = await ds.runMigrations({ transaction: 'each' });
  return done.map((m) => m.name);
}
