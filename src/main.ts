import 'reflect-metadata';
import cluster, { Worker } from 'node:cluster';
import { once } from 'node:events';
import { Logger } from '@nestjs/common';
import { ApiModule } from './app.module';
import { exitOnFatal, prepareInfrastructure } from './bootstrap';
import { parseConfig } from './config/config.schema';
import { createHttpApp } from './http-app';

/** The HTTP API process alone (production: DATABASE_URL and REDIS_URL point at real servers). */
async function serve(): Promise<void> {
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

/**
 * API_PROCESSES > 1: that many API processes share the port (node:cluster). Verification and
 * HTTP work then use every core; the writer already serializes appends to one log across
 * processes (head-row locks). The first process migrates and loads (or creates) the instance key
 * before the others start. A process that dies is replaced; SIGTERM stops them all.
 */
async function supervise(count: number): Promise<void> {
  const logger = new Logger('Cluster');
  let stopping = false;
  let started = false;
  const live = new Set<Worker>();
  const fork = (env: Record<string, string> = {}) => {
    const worker = cluster.fork(env);
    live.add(worker);
    worker.once('exit', (code, signal) => {
      live.delete(worker);
      if (stopping || !started) return;
      logger.error(`API process ${worker.process.pid} exited (${signal ?? code}); starting another`);
      fork({ RUN_MIGRATIONS: 'false' });
    });
    return worker;
  };
  const first = fork();
  await new Promise<void>((resolve, reject) => {
    const failed = (code: number) => reject(new Error(`the first API process exited (${code}) before listening`));
    first.once('exit', failed);
    first.once('listening', () => {
      first.off('exit', failed);
      started = true;
      resolve();
    });
  });
  for (let i = 1; i < count; i++) fork({ RUN_MIGRATIONS: 'false' });
  logger.log(`${count} API processes on one port`);
  const stop = async () => {
    stopping = true;
    const exits = [...live].map((w) => once(w, 'exit'));
    for (const w of live) w.process.kill('SIGTERM');
    await Promise.all(exits);
    process.exit(0);
  };
  process.once('SIGTERM', stop).once('SIGINT', stop);
}

async function main(): Promise<void> {
  const { API_PROCESSES } = parseConfig(process.env);
  if (API_PROCESSES > 1 && cluster.isPrimary) await supervise(API_PROCESSES);
  else await serve();
}

if (require.main === module) main().catch(exitOnFatal);
