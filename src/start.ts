import 'reflect-metadata';
import './platform/node';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { exitOnFatal, Infrastructure, prepareInfrastructure, stopOnSignals } from './bootstrap';
import { parseConfig } from './config/config.schema';
import { createHttpApp } from './http-app';
import { LocalModule } from './local.module';

/**
 * `npm start`: API and workers together. With no DATABASE_URL it embeds PostgreSQL (PGlite, data
 * under DATA_DIR); with no Redis answering it starts a `redis-server` child. Stopping stops both.
 */
async function main(): Promise<void> {
  const running: { infra?: Infrastructure; app?: NestFastifyApplication } = {};
  // Before anything starts: a signal during start-up stops what has started so far.
  stopOnSignals(async () => {
    await running.app?.close();
    await running.infra?.stop();
  });
  running.infra = await prepareInfrastructure({ allowEmbeddedDatabase: true });
  const config = parseConfig(process.env);
  running.app = await createHttpApp(LocalModule);
  await running.app.listen({ port: config.PORT, host: config.HOST });
}

if (require.main === module) main().catch(exitOnFatal);
