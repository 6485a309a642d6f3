// `npm start` (dist/start.js) starts a `redis-server` child when no Redis answers at the default
// address, and runs PGlite in its own process. Whatever the stop signal, nothing it started may
// outlive it. The service runs in a network namespace of its own (`unshare -n`) so that the
// machine's Redis on 127.0.0.1:6379 is out of its sight and it must start its own.
import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { eventually } from '../support/app';
import { freePort } from '../support/processes';

const START = resolve(__dirname, '../../dist/start.js');

/** Direct children of `pid`, with their command names. */
function childrenOf(pid: number): { pid: number; comm: string }[] {
  let out: string;
  try {
    out = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(pid)], { encoding: 'utf8' }).trim();
  } catch {
    return []; // ps exits 1 when there is none
  }
  return out === '' ? [] : out.split('\n').map((line) => {
    const [p, comm] = line.trim().split(/\s+/, 2);
    return { pid: Number(p), comm };
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers kill(0) until its parent reaps it: it has stopped all the same.
  try {
    return !/^\S+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const canUnshare = spawnSync('unshare', ['-n', 'true']).status === 0;

describe('stopping npm start stops every child it started', () => {
  beforeAll(() => {
    expect(existsSync(START)).toBe(true);
    // root (or user namespaces) is needed to give the service a network of its own
    expect(canUnshare).toBe(true);
  });

  const started: ChildProcess[] = [];
  const dirs: string[] = [];
  afterAll(() => {
    for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)('%s', async (signal) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'archipel-stop-'));
    dirs.push(dataDir);
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(await freePort()), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info' };
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'ARCHIPEL_EMBEDDED_DATABASE']) delete env[name];
    // unshare execs sh, which execs node: the spawned PID is the service's.
    const child = spawn('unshare', ['-n', 'sh', '-c', 'ip link set lo up && exec "$0" "$1"', process.execPath, START], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(child);
    let output = '';
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, sig) => r({ code, signal: sig })));
    const pid = child.pid as number;

    // PGlite compiles its WebAssembly at start: slow on a loaded machine, hence the long wait.
    await eventually(async () => output.includes('Nest application successfully started'), 240_000, `the service to start (${output.slice(-2000)})`);
    const redis = await eventually(async () => childrenOf(pid).find((c) => c.comm === 'redis-server'), 10_000, 'its redis-server child');
    const children = childrenOf(pid);
    expect(children.length).toBeGreaterThan(0);

    child.kill(signal);
    const { code } = await exit;
    expect(code).toBe(0);
    for (const c of [...children, redis]) {
      await eventually(async () => !alive(c.pid), 10_000, `${c.comm} (${c.pid}) to stop after ${signal}`);
    }
    // Nothing of it re-parented to init either: no process left with the data dir on its command line.
    const left = spawnSync('pgrep', ['-f', dataDir], { encoding: 'utf8' }).stdout.trim();
    expect(left).toBe('');
  }, 300_000);
});
