import 'reflect-metadata';
import './platform/node';
import { exitOnFatal, prepareInfrastructure } from './bootstrap';
import { parseConfig } from './config/config.schema';
import { createHttpApp } from './http-app';
import { LocalModule } from './local.module';
import { constants } from 'node:os';

/**
 * `npm start`: API and workers together. With no DATABASE_URL it embeds PostgreSQL (PGlite, data
 * under DATA_DIR); with no Redis answering it starts a `redis-server` child. Stopping stops both.
 */
async function main(): Promise<void> {
  const infra = await prepareInfrastructure({ allowEmbeddedDatabase: true });
  const config = parseConfig(process.env);
  // Whatever ends this process, its children end too: on exit, they are signalled (synchronously).
  process.once('exit', () => infra.kill());
  const app = await createHttpApp(LocalModule, { shutdownHooks: false });
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(1), STOP_TIMEOUT_MS);
    force.unref();
    try {
      await app.close();
    } finally {
      await infra.stop();
    }
    // 0 for the signals that ask to stop; the conventional 128 + n for the others.
    process.exit(signal === 'SIGTERM' || signal === 'SIGINT' ? 0 : 128 + (constants.signals[signal] ?? 0));
  };
  for (const signal of STOP_SIGNALS) process.once(signal, () => void stop(signal));
  await app.listen({ port: config.PORT, host: config.HOST });
}

const STOP_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'];
/** A stop that hangs (a stuck connection) still ends the process, children first (the exit handler). */
const STOP_TIMEOUT_MS = 15_000;

if (require.main === module) main().catch(exitOnFatal);
