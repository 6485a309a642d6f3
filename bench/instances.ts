// Instances of the service started by a benchmark as child processes (`dist/main.js`,
// `dist/worker.js`), each with its own database on the machine's PostgreSQL (admin URL
// BENCH_DATABASE_URL) and its own queue prefix on REDIS_URL; and the HTTP call they all make.
import { spawn, ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { Pool } from 'undici';
import { openDataSource, runMigrations } from '../src/database/data-source';
import { DIST, sleep } from './bench-support';

export const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** POST a signed statement; anything but 201 throws. */
export async function postJws(pool: Pool, jws: string): Promise<Record<string, unknown>> {
  const res = await pool.request({ path: '/api/v1/statements', method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jws }) });
  const text = await res.body.text();
  if (res.statusCode !== 201) throw new Error(`statement refused: ${res.statusCode} ${text.slice(0, 300)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** A fresh database `name` on the admin URL's server, migrated; its URL. */
export async function database(admin: Client, name: string): Promise<string> {
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const ds = await openDataSource({ url: url.toString(), poolSize: 1 });
  await runMigrations(ds);
  await ds.destroy();
  return url.toString();
}

/** Node options for every child, e.g. `BENCH_CHILD_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"` (not allowed in NODE_OPTIONS). */
const CHILD_ARGS = (process.env.BENCH_CHILD_ARGS ?? '').split(/\s+/).filter((a) => a.length > 0);

/** `node dist/<script>` with this environment, its output on ours. */
export function startChild(script: string, env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [...CHILD_ARGS, join(DIST, script)], { env, stdio: ['ignore', 'inherit', 'inherit'] });
}

/** SIGTERM, then SIGKILL after 8 s. */
export async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(8_000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Waits until `base`/health answers 200 (30 s at most); throws if the child exits first. */
export async function healthy(base: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`${base} exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/health`)).status === 200) return;
    } catch {
      /* not yet */
    }
    await sleep(100);
  }
  throw new Error(`${base} did not become healthy within 30 s`);
}

/** POST many statements, `concurrency` in flight; the answers in order. */
export async function postAll(pool: Pool, jwss: string[], concurrency: number): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = new Array(jwss.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, jwss.length) }, async () => {
      for (let i = next++; i < jwss.length; i = next++) out[i] = await postJws(pool, jwss[i]);
    }),
  );
  return out;
}

/** Deletes an instance's queue keys (everything under its QUEUE_PREFIX). */
export async function cleanRedis(prefix: string): Promise<void> {
  const { default: Redis } = await import('ioredis');
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
}
