import 'reflect-metadata';
import { ApiModule } from './app.module';
import { exitOnFatal, prepareInfrastructure } from './bootstrap';
import { parseConfig } from './config/config.schema';
import { createHttpApp } from './http-app';

/** The HTTP API process alone (production: DATABASE_URL and REDIS_URL point at real servers). */
async function main(): Promise<void> {
  const infra = await prepareInfrastructure({ allowEmbeddedDatabase: false });
  const config = parseConfig(process.env);
  const app = await createHttpApp(ApiModule);
  await app.listen({ port: config.PORT, host: config.HOST });
  const stop = async () => {
    await app.close();
    await infra.stop();
    process.exit(0);
  };
  process.once('SIGTERM', stop).once('SIGINT', stop);
}

if (require.main === module) main().catch(exitOnFatal);
