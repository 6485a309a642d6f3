import 'reflect-metadata';
import './platform/node';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { exitOnFatal, prepareInfrastructure, stopOnSignals } from './bootstrap';
import { WorkerModule } from './worker.module';

/** The queue-worker process alone; run as many as needed. */
async function main(): Promise<void> {
  const infra = await prepareInfrastructure({ allowEmbeddedDatabase: false });
  const app = await NestFactory.createApplicationContext(WorkerModule, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  await app.init();
  stopOnSignals(
    async () => {
      await app.close();
      await infra.stop();
    },
    () => infra.kill(),
  );
}

if (require.main === module) main().catch(exitOnFatal);
