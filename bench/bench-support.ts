// Helpers shared by the benchmarks (src/bench/*.bench.ts): environment, output, ports, CPU
// accounting from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';

export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
  return n;
}

/** The service as `npm run build` leaves it: benchmarks start `dist/main.js` and `dist/worker.js`. */
export const DIST = join(__dirname, '..', '..', 'dist');

export const log = (line = '') => process.stdout.write(`${line}\n`);
export const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '—');
export const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------- CPU accounting from /proc

export const CLK_TCK = 100;
export function procTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return 0;
  }
}
/** CPU ticks of a process and of its live descendants (an API supervisor and its processes). */
export function processTreeTicks(root: number): number {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop() as number;
    total += procTicks(pid);
    for (const [child, parent] of parents) if (parent === pid) stack.push(child);
  }
  return total;
}

export function postgresTicks(): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (comm.startsWith('postgres') || comm.startsWith('postmaster')) out.set(Number(entry), procTicks(Number(entry)));
    } catch {
      /* gone */
    }
  }
  return out;
}

// ---------------------------------------------------------------- the service as a child process

export interface RunningApi {
  child: ChildProcess;
  base: string;
  port: number;
}

/**
 * `node dist/main.js` as a child process (so the load generator does not share its event loop), on
 * a free port, with its own database and queue prefix; resolves once /health answers 200.
 */
export async function startApi(opts: { dbUrl: string; redisUrl: string; queuePrefix: string; nodeArgs?: string[]; env?: Record<string, string> }): Promise<RunningApi> {
  const port = await freePort();
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: opts.dbUrl,
    REDIS_URL: opts.redisUrl,
    QUEUE_PREFIX: opts.queuePrefix,
    LOG_LEVEL: 'warn',
    INSTANCE_NAME: 'bench.archipel',
    ...opts.env,
  };
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), join(DIST, 'main.js')], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  const health = new Pool(base, { connections: 1 });
  try {
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`API exited with ${child.exitCode}`);
      try {
        const r = await health.request({ path: '/health', method: 'GET' });
        await r.body.text();
        if (r.statusCode === 200) break;
      } catch {
        /* not yet */
      }
      if (i > 300) throw new Error('API did not become healthy within 30 s');
      await sleep(100);
    }
  } catch (e) {
    await stopChild(child);
    throw e;
  } finally {
    await health.close();
  }
  return { child, base, port };
}

/** SIGTERM, then SIGKILL after 5 s. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(5_000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Remove a benchmark's queue keys from the shared Redis. */
export async function cleanRedis(url: string, prefix: string): Promise<void> {
  const { default: Redis } = await import('ioredis');
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
}

// ---------------------------------------------------------------- statements over HTTP

export interface Answer {
  status: number;
  body: string;
}

export async function post(pool: Pool, jws: string): Promise<Answer> {
  const res = await pool.request({
    path: '/api/v1/statements',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jws }),
  });
  return { status: res.statusCode, body: await res.body.text() };
}

/** Post all, `concurrency` in flight; throws on anything but 201 (setup). */
export async function postAll(pool: Pool, jwss: string[], concurrency: number): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = new Array(jwss.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < jwss.length; i = next++) {
        const a = await post(pool, jwss[i]);
        if (a.status !== 201) throw new Error(`setup statement refused: ${a.status} ${a.body}`);
        out[i] = JSON.parse(a.body) as Record<string, unknown>;
      }
    }),
  );
  return out;
}
