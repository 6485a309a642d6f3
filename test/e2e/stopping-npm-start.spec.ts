// `npm start` started a redis-server child: stopping the service stops that child too, whatever
// the signal (Nest used to raise the signal again before start.ts stopped its children, leaving
// redis-server re-parented to init). And a Redis that does not answer stops the service with a
// message that says what to check. Runs the built service (dist/start.js) on a test database.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { eventually } from '../support/app';
import { ApiClient } from '../support/client';
import { createTestDatabase, TestDatabase } from '../support/database';
import { describeWithServer } from '../support/database-urls';
import { freePort } from '../support/processes';

const START = resolve(__dirname, '../../dist/start.js');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function redisChildOf(pid: number): number | null {
  try {
    const out = execFileSync('pgrep', ['-P', String(pid), 'redis-server'], { encoding: 'utf8' }).trim();
    return out ? Number(out.split('\n')[0]) : null;
  } catch {
    return null;
  }
}

/** Every child process of `pid`. */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

describeWithServer('stopping npm start', () => {
  let db: TestDatabase;
  const dirs: string[] = [];
  // One data directory for every start: the instance key file the first start creates there must
  // match the public key it published in the (shared) database, or the next start refuses to run.
  let dataDir: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'archipel-stop-'));
    dirs.push(dataDir);
  });
  // A case that failed half-way leaves nothing running: its service, then the children it had.
  const started: ChildProcess[] = [];
  afterEach(() => {
    for (const child of started.splice(0)) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const children = childrenOf(child.pid!);
      child.kill('SIGKILL');
      for (const pid of children) if (alive(pid)) process.kill(pid, 'SIGTERM');
    }
  });
  afterAll(async () => {
    await db.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function start(extra: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; port: number; stderr: () => string }> {
    const port = await freePort();
    // Nothing answers at the default address this test gives it: npm start runs its own redis-server.
    const nowhere = `redis://127.0.0.1:${await freePort()}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_URL: db.url,
      ARCHIPEL_REDIS_DEFAULT_URL: nowhere,
      QUEUE_PREFIX: `s${randomBytes(3).toString('hex')}`,
      LOG_LEVEL: 'warn',
      ...extra,
    };
    if (extra.REDIS_URL === undefined) delete env.REDIS_URL;
    const child = spawn(process.execPath, [START], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    started.push(child);
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    return { child, port, stderr: () => stderr };
  }

  it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)('%s stops the service and the redis-server it started', async (signal) => {
    const { child, port, stderr } = await start();
    const api = new ApiClient(`http://127.0.0.1:${port}`);
    await eventually(async () => (await api.get<{ status: string }>('/health')).body.status === 'ok', 60_000, `the service (${stderr()})`);
    const redis = redisChildOf(child.pid!);
    expect(redis).not.toBeNull();
    expect(alive(redis!)).toBe(true);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill(signal);
    const code = await exited;
    expect(code).toBe(signal === 'SIGHUP' ? 129 : 0);
    await eventually(async () => !alive(redis!), 10_000, `redis-server ${redis} to stop`);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('%s during start-up, as soon as its redis-server appears, stops that child too', async (signal) => {
    const { child, stderr } = await start();
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    let redis: number | null = null;
    // no `eventually` here: its 50 ms would often miss start-up (the service answers about a second later)
    const deadline = Date.now() + 30_000;
    while (redis === null && child.exitCode === null && Date.now() < deadline) {
      redis = redisChildOf(child.pid!);
      if (redis === null) await new Promise((r) => setTimeout(r, 5));
    }
    expect(redis).not.toBeNull();
    const children = [...new Set([redis!, ...childrenOf(child.pid!)])];
    child.kill(signal);
    const code = await exited;
    expect({ code, stderr: stderr() }).toEqual({ code: 0, stderr: expect.any(String) });
    await eventually(async () => children.every((pid) => !alive(pid)), 10_000, `its children ${children.join(', ')} to stop`);
  });

  it('a second signal while stopping exits at once (1), and its children still stop', async () => {
    const { child, port, stderr } = await start();
    const api = new ApiClient(`http://127.0.0.1:${port}`);
    await eventually(async () => (await api.get<{ status: string }>('/health')).body.status === 'ok', 60_000, `the service (${stderr()})`);
    const redis = redisChildOf(child.pid!);
    expect(redis).not.toBeNull();
    const children = [...new Set([redis!, ...childrenOf(child.pid!)])];
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    // two signals, not one twice (the kernel would merge two pending SIGTERMs)
    child.kill('SIGTERM');
    child.kill('SIGINT');
    expect(await exited).toBe(1);
    expect(stderr()).toMatch(/SIG(?:TERM|INT) again while stopping/);
    await eventually(async () => children.every((pid) => !alive(pid)), 10_000, `its children ${children.join(', ')} to stop`);
  });

  it('a REDIS_URL where nothing answers stops the service with what to check', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const { child, stderr } = await start({ REDIS_URL: url });
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(1);
    expect(stderr()).toContain(`Nothing answers at REDIS_URL=${url}`);
    expect(stderr()).toMatch(/redis-cli -u .* ping/);
    expect(stderr()).toContain('leave REDIS_URL unset');
  });
});
