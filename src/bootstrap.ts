// Shared start-up: configuration, and the embedded defaults of `npm start` (docs/operations.md).
import { Logger } from '@nestjs/common';
import { startEmbeddedPostgres } from './database/embedded-postgres';
import { refuseSchemaBehind } from './database/schema';
import { parseConfig } from './config/config.schema';
import { ensureRedis } from './queue/embedded-redis';

export interface Infrastructure {
  stop(): Promise<void>;
  /** Synchronous: signal every child process (for a process 'exit' handler). */
  kill(): void;
}

/**
 * Make sure PostgreSQL and Redis are reachable, starting the embedded ones where the operator
 * configured none, and export their URLs in process.env for the application modules.
 */
export async function prepareInfrastructure(opts: { allowEmbeddedDatabase: boolean }): Promise<Infrastructure> {
  const config = parseConfig(process.env);
  const logger = new Logger('Bootstrap');
  const stops: Array<() => Promise<void>> = [];
  const kills: Array<() => void> = [];
  if (!config.DATABASE_URL) {
    if (!opts.allowEmbeddedDatabase) {
      throw new Error('DATABASE_URL is not set. Set it, or run `npm start`, which embeds PostgreSQL (PGlite) for local use.');
    }
    const pg = await startEmbeddedPostgres(config.DATA_DIR);
    logger.log(`No DATABASE_URL: using the embedded PostgreSQL (PGlite) with its data in ${pg.dataDir}`);
    process.env.DATABASE_URL = pg.url;
    process.env.ARCHIPEL_EMBEDDED_DATABASE = '1';
    stops.push(() => pg.stop());
  } else if (!config.DATABASE_OWNER_URL && !config.MIGRATIONS_DATABASE_URL) {
    // Migrations run elsewhere (`node dist/migrate.js`) or as this one role: a schema behind this
    // version that this process will not migrate is refused now, in one paragraph.
    await refuseSchemaBehind(config.DATABASE_URL, config.RUN_MIGRATIONS);
  }
  const redis = await ensureRedis(config.REDIS_URL, config.DATA_DIR, (m) => logger.log(m));
  process.env.REDIS_URL = redis.url;
  stops.push(() => redis.stop());
  kills.push(() => redis.kill());
  return {
    kill() {
      for (const kill of kills) kill();
    },
    async stop() {
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
    },
  };
}

/** The signals that stop a process of Archipel: a terminal's Ctrl-C, a supervisor's stop, a closed terminal. */
export const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/**
 * For the API and worker processes (start.ts has its own): run `stop` on the first stop signal,
 * then exit 0; a second signal while stopping exits at once (with 1). `kill` signals the children
 * on any exit, this one or another.
 */
export function stopOnSignals(stop: () => Promise<void>, kill: () => void): void {
  process.once('exit', kill);
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`archipel: ${signal} again while stopping: exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`archipel: stopping failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
}

export function exitOnFatal(error: unknown): never {
  // One paragraph, no stack, for the errors an operator can fix.
  process.stderr.write(`archipel: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
