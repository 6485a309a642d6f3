import 'reflect-metadata';
import './platform/node';
import cluster, { Worker } from 'node:cluster';
import { once } from 'node:events';
import { Logger } from '@nestjs/common';
import { ApiModule } from './app.module';
import { exitOnFatal, prepareInfrastructure, stopOnSignals } from './bootstrap';
import { parseConfig } from './config/config.schema';
import { createHttpApp } from './http-app';

/** The HTTP API process alone (production: DATABASE_URL and REDIS_URL point at real servers). */
async function serve(): Promise<void> {
  const infra = await prepareInfrastructure({ allowEmbeddedDatabase: false });
  const config = parseConfig(process.env);
  const app = await createHttpApp(ApiModule, { shutdownHooks: false });
  if (cluster.isWorker) await cue();
  await app.listen({ port: config.PORT, host: config.HOST });
  stopOnSignals(
    async () => {
      await app.close();
      await infra.stop();
    },
    () => infra.kill(),
  );
}

/** Cluster messages between the supervisor and its API processes. */
const READY = 'archipel:ready';
const LISTEN = 'archipel:listen';

/**
 * In an API process of the cluster: tell the supervisor this process is ready (migrated, instance
 * key loaded, app initialized) and wait for its cue to listen.
 */
function cue(): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown) => {
      if (message !== LISTEN) return;
      process.off('message', onMessage);
      resolve();
    };
    process.on('message', onMessage);
    process.send?.(READY);
  });
}

/**
 * API_PROCESSES > 1: that many API processes share the port (node:cluster). Verification and
 * HTTP work then use every core; the writer already serializes appends to one log across
 * processes (head-row locks). The first process migrates and loads (or creates) the instance key
 * before the others start. All of them then start listening together: the cluster hands each new
 * connection to the next listening process, so a process listening seconds before the others
 * would keep every keep-alive connection opened meanwhile (a proxy's, a load generator's) to
 * itself. A process that dies is replaced; SIGTERM stops them all.
 */
async function supervise(count: number): Promise<void> {
  const logger = new Logger('Cluster');
  let stopping = false;
  let started = false;
  const live = new Set<Worker>();
  const fork = (env: Record<string, string> = {}) => {
    const worker = cluster.fork(env);
    live.add(worker);
    // A replacement listens as soon as it is ready.
    worker.on('message', (message: unknown) => {
      if (message === READY && started) worker.send(LISTEN);
    });
    worker.once('exit', (code, signal) => {
      live.delete(worker);
      if (stopping || !started) return;
      logger.error(`API process ${worker.process.pid} exited (${signal ?? code}); starting another`);
      fork({ RUN_MIGRATIONS: 'false' });
    });
    return worker;
  };
  /** Until the worker sends READY (or emits 'listening'); rejects if it exits first. */
  const until = (worker: Worker, what: 'ready' | 'listening') =>
    new Promise<void>((resolve, reject) => {
      const failed = (code: number) => reject(new Error(`an API process exited (${code}) before ${what}`));
      const done = () => {
        worker.off('message', onMessage).off('listening', done).off('exit', failed);
        resolve();
      };
      const onMessage = (message: unknown) => {
        if (message === READY && what === 'ready') done();
      };
      worker.once('exit', failed).on('message', onMessage);
      if (what === 'listening') worker.once('listening', done);
    });
  const untilReady = (worker: Worker) => until(worker, 'ready');
  const first = fork();
  await untilReady(first);
  const others = Array.from({ length: count - 1 }, () => fork({ RUN_MIGRATIONS: 'false' }));
  await Promise.all(others.map(untilReady));
  const all = [first, ...others];
  const listening = all.map((worker) => until(worker, 'listening'));
  for (const worker of all) worker.send(LISTEN);
  await Promise.all(listening);
  started = true;
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
