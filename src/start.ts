import 'reflect-metadata';
import './platform/node';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { exitOnFatal, type Infrastructure, prepareInfrastructure } from './bootstrap';
import { parseConfig } from './config/config.schema';
import { createHttpApp } from './http-app';
import { LocalModule } from './local.module';
import { constants } from 'node:os';

/**
 * `npm start`: API and workers together. With no DATABASE_URL it embeds PostgreSQL (PGlite, data
 * under DATA_DIR); with no Redis answering it starts a `redis-server` child. Stopping stops both,
 * at any moment: the stop handlers are installed before anything starts.
 */
async function main(): Promise<void> {
  let infra: Infrastructure | undefined;
  let app: NestFastifyApplication | undefined;
  let stopping = false;
  // Whatever ends this process, its children end too: on exit, they are signalled (synchronously).
  process.once('exit', () => infra?.kill());
  const config = parseConfig(process.env);
  const startUp = (async () => {
    infra = await prepareInfrastructure({ allowEmbeddedDatabase: true });
    if (stopping) return;
    app = await createHttpApp(LocalModule, { shutdownHooks: false });
    if (stopping) return;
    await app.listen({ port: config.PORT, host: config.HOST });
  })();
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second signal: at once (a signal with no handler left would kill the process without its
      // exit handler, and leave the children behind).
      process.stderr.write(`archipel: ${signal} again while stopping: exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    const force = setTimeout(() => process.exit(1), STOP_TIMEOUT_MS);
    force.unref();
    try {
      // A signal during start-up: the step under way ends first (a redis-server being started is
      // then known, and stopped with the rest); nothing after it starts.
      await startUp.catch(() => undefined);
      await app?.close();
    } finally {
      await infra?.stop();
    }
    // 0 for the signals that ask to stop; the conventional 128 + n for the others.
    process.exit(signal === 'SIGTERM' || signal === 'SIGINT' ? 0 : 128 + (constants.signals[signal] ?? 0));
  };
  for (const signal of STOP_SIGNALS) process.on(signal, (received: NodeJS.Signals) => void stop(received));
  try {
    await startUp;
  } catch (error) {
    // A start-up that fails while stopping is the stop's to finish; otherwise it is fatal.
    if (!stopping) throw error;
  }
}

const STOP_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'];
/** A stop that hangs (a stuck connection) still ends the process, children first (the exit handler). */
const STOP_TIMEOUT_MS = 15_000;

if (require.main === module) main().catch(exitOnFatal);
