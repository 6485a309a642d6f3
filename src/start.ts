import 'reflect-metadata';
import './platform/node';
import { exitOnFatal, prepareInfrastructure } from './bootstrap';
import { parseConfig } from './config/config.schema';
import { createHttpApp } from './http-app';
import { LocalModule } from './local.module';

/**
 * `npm start`: API and workers together. With no DATABASE_URL it embeds PostgreSQL (PGlite, data
 * under DATA_DIR); with no Redis answering it starts a `redis-server` child. Stopping stops both.
 */
async function main(): Promise<void> {
  const infra = await prepareInfrastructure({ allowEmbeddedDatabase: true });
  const config = parseConfig(process.env);
  const app = await createHttpApp(LocalModule);
  await app.listen({ port: config.PORT, host: config.HOST });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await app.close();
    await infra.stop();
    process.exit(0);
  };
  process.once('SIGTERM', stop).once('SIGINT', stop);
}

if (require.main === module) main().catch(exitOnFatal);
