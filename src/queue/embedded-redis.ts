// The embedded default for Redis (docs/operations.md): use REDIS_URL, else the default local
// address; when nothing answers there and a `redis-server` binary is on the PATH, start one as
// a child process with its data under DATA_DIR. Stopping the service stops it.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join, resolve } from 'node:path';

export const REDIS_MISSING_MESSAGE =
  'Archipel needs Redis for its queues and found none: nothing answers at REDIS_URL (default ' +
  'redis://127.0.0.1:6379) and no `redis-server` binary is on the PATH to start one. Install it ' +
  '(Debian/Ubuntu: `apt-get install redis-server`; macOS: `brew install redis`), or run ' +
  '`docker compose up -d redis` from this repository, or point REDIS_URL at a running Redis 6.2+.';

export interface RedisEndpoint {
  url: string;
  child?: ChildProcess;
  stop(): Promise<void>;
  /** Synchronous last resort, from a process 'exit' handler: signal the child, wait for nothing. */
  kill(): void;
}

/** REDIS_URL with any password replaced by `***`, fit for a message or a log line. */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(not a URL)';
  }
}

/** What an operator should check when the configured Redis does not answer (its password redacted). */
export function redisUnreachableMessage(configured: string): string {
  const url = redactedUrl(configured);
  return (
    `Nothing answers at REDIS_URL=${url}. Check that Redis runs there and accepts connections ` +
    `(\`redis-cli -u '${url}' ping\` should print PONG, with the real password): start it (Debian/Ubuntu: \`systemctl start redis-server\`; ` +
    `Docker: \`docker compose up -d redis\`), correct REDIS_URL, or leave REDIS_URL unset and \`npm start\` ` +
    `runs a redis-server of its own.`
  );
}

export function redisAnswers(url: string, timeoutMs = 500): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolvePing) => {
    const socket = createConnection({ host: hostname || '127.0.0.1', port: Number(port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolvePing(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG') || data.toString().startsWith('-NOAUTH')));
  });
}

function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** Start `redis-server` on `port` with its data in `dir`; resolves once it answers. */
export async function spawnRedis(dir: string, port: number, extraArgs: string[] = []): Promise<RedisEndpoint> {
  mkdirSync(dir, { recursive: true });
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', resolve(dir), '--appendonly', 'yes', '--save', '', ...extraArgs],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  const exited = new Promise<boolean>((r) => child.once('exit', () => r(false)));
  const up = await Promise.race([waitFor(() => redisAnswers(url), 10_000), exited]);
  if (!up) {
    child.kill('SIGKILL');
    throw new Error(`redis-server did not start on port ${port}`);
  }
  return {
    url,
    child,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
    stop: () =>
      new Promise<void>((r) => {
        if (child.exitCode !== null) return r();
        child.once('exit', () => r());
        child.kill('SIGTERM');
      }),
  };
}

export async function ensureRedis(configuredUrl: string | undefined, dataDir: string, log: (msg: string) => void): Promise<RedisEndpoint> {
  // ARCHIPEL_REDIS_DEFAULT_URL: where to look when REDIS_URL is unset (tests point it elsewhere).
  const url = configuredUrl ?? process.env.ARCHIPEL_REDIS_DEFAULT_URL ?? 'redis://127.0.0.1:6379';
  if (await redisAnswers(url)) return { url, stop: async () => undefined, kill: () => undefined };
  if (configuredUrl) throw new Error(redisUnreachableMessage(configuredUrl));
  if (!hasRedisServer()) throw new Error(REDIS_MISSING_MESSAGE);
  const port = 6390 + Math.floor(Math.random() * 500);
  log(`No Redis at ${url}: starting redis-server on port ${port} with its data in ${join(dataDir, 'redis')}`);
  return spawnRedis(join(dataDir, 'redis'), port);
}
