// Processes a fault test owns: a private redis-server (its own port and temp dir, so killing it
// harms nobody) and worker processes (`node dist/worker.js`, built by `npm run build`), each
// stopped by its own PID. Never the machine's shared PostgreSQL or Redis.
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodeEntryLine, prevOf } from '../../src/core/formats/entry';
import { redisAnswers } from '../../src/queue/embedded-redis';
import type { Queue } from 'bullmq';
import { eventually, startTestApp, TestApp } from './app';

const ROOT = resolve(__dirname, '../..');
export const WORKER_SCRIPT = join(ROOT, 'dist/worker.js');

/** A TCP port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Resolves when the child has exited (at once if it already has). */
function exited(child: ChildProcess): Promise<void> {
  return new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) return r();
    child.once('exit', () => r());
  });
}

export interface PrivateRedisOptions {
  /** AOF persistence; off by default, like the machine's Redis (a restart comes back empty). */
  appendonly?: boolean;
  port?: number;
}

/** A redis-server of the test's own: start, kill and restart it by PID on the same port. */
export class PrivateRedis {
  readonly dir: string;
  private child: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    readonly appendonly: boolean,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'archipel-fault-redis-'));
  }

  static async start(opts: PrivateRedisOptions = {}): Promise<PrivateRedis> {
    const redis = new PrivateRedis(opts.port ?? (await freePort()), opts.appendonly ?? false);
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Start the server (again) on its port; resolves once it answers PING. */
  async start(): Promise<void> {
    if (this.running) throw new Error(`redis-server already running on ${this.port} (pid ${this.pid})`);
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--appendonly', this.appendonly ? 'yes' : 'no'];
    args.push('--logfile', join(this.dir, 'redis.log'), '--daemonize', 'no');
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.child = child;
    const gone = exited(child).then(() => false);
    const up = await Promise.race([poll(() => redisAnswers(this.url), 10_000), gone]);
    if (!up) {
      await this.kill();
      throw new Error(`redis-server did not start on port ${this.port} (see ${join(this.dir, 'redis.log')})`);
    }
  }

  /** SIGKILL by PID: no shutdown save, no goodbye to clients. Resolves once it has exited. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** SIGTERM by PID (a clean shutdown, writing the AOF if on). */
  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  /** Kill and start again on the same port; `wipe` also deletes its files (the AOF if any). */
  async restart(opts: { wipe?: boolean } = {}): Promise<void> {
    await this.kill();
    if (opts.wipe) for (const f of ['appendonlydir', 'appendonly.aof', 'dump.rdb']) rmSync(join(this.dir, f), { recursive: true, force: true });
    await this.start();
  }

  /** Stop it and delete its directory (afterAll). */
  async dispose(): Promise<void> {
    await this.kill();
    if (existsSync(this.dir)) rmSync(this.dir, { recursive: true, force: true });
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || !this.running || child.pid === undefined) return;
    process.kill(child.pid, signal);
    await exited(child);
  }
}

export interface WorkerOptions {
  /** The test's environment (startTestApp's `env`): DATABASE_URL, QUEUE_PREFIX, INSTANCE_NAME… */
  env: Record<string, string>;
  /** Overrides on top of `env`, e.g. REDIS_URL of a private Redis. */
  extra?: Record<string, string>;
}

/** A worker process: `node dist/worker.js`, its output kept for assertions and failure messages. */
export class WorkerProcess {
  private out = '';

  private constructor(readonly child: ChildProcess) {
    const keep = (chunk: Buffer) => {
      this.out += chunk.toString();
      if (this.out.length > 1_000_000) this.out = this.out.slice(-500_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  static spawn(opts: WorkerOptions): WorkerProcess {
    if (!existsSync(WORKER_SCRIPT)) throw new Error(`${WORKER_SCRIPT} is missing: run \`npm run build\` first`);
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      TZ: 'UTC',
      ...opts.env,
      // `info`, so that readiness ("Serving jobs") and closes show in the output.
      LOG_LEVEL: 'info',
      ...opts.extra,
    };
    delete env.ARCHIPEL_EMBEDDED_DATABASE; // the worker refuses the embedded database anyway
    const child = spawn(process.execPath, [WORKER_SCRIPT], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    return new WorkerProcess(child);
  }

  /** Spawn and wait until it serves jobs (its start hooks, such as re-creating close jobs, ran). */
  static async start(opts: WorkerOptions, timeoutMs = 30_000): Promise<WorkerProcess> {
    const worker = WorkerProcess.spawn(opts);
    await worker.ready(timeoutMs);
    return worker;
  }

  get pid(): number {
    return this.child.pid as number;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get output(): string {
    return this.out;
  }

  async ready(timeoutMs = 30_000): Promise<void> {
    await this.waitForOutput(/Serving jobs/, timeoutMs, 'the worker to serve jobs');
  }

  /** Poll its output for `pattern`; fails early, with the output, if the process exits. */
  async waitForOutput(pattern: RegExp, timeoutMs = 30_000, what = String(pattern)): Promise<void> {
    await eventually(
      async () => {
        if (pattern.test(this.out)) return true;
        if (!this.alive) throw new Error(`worker ${this.pid} exited (${this.child.exitCode ?? this.child.signalCode}):\n${this.out.slice(-4000)}`);
        return false;
      },
      timeoutMs,
      what,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n--- worker ${this.pid} output ---\n${this.out.slice(-4000)}`);
    });
  }

  /** SIGKILL by PID: a crash at whatever point it has reached. Resolves once it has exited. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    process.kill(this.pid, 'SIGKILL');
    await exited(this.child);
  }

  /** SIGTERM by PID: a graceful shutdown (falls back to SIGKILL after `graceMs`). */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.alive) return;
    process.kill(this.pid, 'SIGTERM');
    const timer = setTimeout(() => this.alive && process.kill(this.pid, 'SIGKILL'), graceMs);
    await exited(this.child);
    clearTimeout(timer);
  }
}

async function poll(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// The check every fault test ends with (kept here: the one support file these tests own).

export interface ProposalRef {
  id: string;
  circle: string;
}

interface LogView {
  seqs: number[];
  tallies: Map<string, number>;
}

async function readLog(baseUrl: string, circle: string): Promise<LogView> {
  const res = await fetch(`${baseUrl}/api/v1/circles/${circle}/log`);
  if (res.status !== 200) throw new Error(`GET log of ${circle}: ${res.status}`);
  const lines = (await res.text()).split('\n').filter(Boolean);
  const seqs: number[] = [];
  const tallies = new Map<string, number>();
  let prev: string | null = null;
  for (const line of lines) {
    const d = decodeEntryLine(line);
    if (!d.ok) throw new Error(`${circle}: undecodable line (${d.reason})`);
    if (d.entry.circle !== circle) throw new Error(`${circle}#${d.entry.seq}: entry of ${d.entry.circle}`);
    if (seqs.length && d.entry.prev !== prev) throw new Error(`${circle}#${d.entry.seq}: prev does not chain`);
    prev = prevOf(d.leaf);
    seqs.push(d.entry.seq);
    const payload = JSON.parse(Buffer.from(d.entry.jws.split('.')[1], 'base64url').toString()) as { type: string; body: { proposal?: string } };
    if (payload.type === 'tally.result') tallies.set(payload.body.proposal as string, (tallies.get(payload.body.proposal as string) ?? 0) + 1);
  }
  return { seqs, tallies };
}

/**
 * Every proposal has exactly one `tally.result` in its circle's log and a result in
 * GET /api/v1/proposals/:id; no log holds a tally of anything else twice; seqs run 0, 1, 2…
 * with each entry chaining to the one before. Returns the outcomes by proposal id.
 */
export async function expectEachTalliedOnce(baseUrl: string, proposals: ProposalRef[]): Promise<Map<string, string>> {
  const circles = [...new Set(proposals.map((p) => p.circle))];
  const logs = new Map<string, LogView>();
  for (const circle of circles) logs.set(circle, await readLog(baseUrl, circle));
  const problems: string[] = [];
  for (const [circle, log] of logs) {
    const gap = log.seqs.findIndex((s, i) => s !== i);
    if (gap !== -1) problems.push(`${circle}: seq ${log.seqs[gap]} at position ${gap} (seqs not contiguous from 0)`);
    for (const [proposal, n] of log.tallies) if (n !== 1) problems.push(`${circle}: ${n} tally.result entries for ${proposal}`);
  }
  const outcomes = new Map<string, string>();
  for (const p of proposals) {
    const n = logs.get(p.circle)!.tallies.get(p.id) ?? 0;
    if (n !== 1) problems.push(`${p.id}: ${n} tally.result entries in ${p.circle}`);
    const res = await fetch(`${baseUrl}/api/v1/proposals/${p.id}`);
    const body = (await res.json()) as { status?: string; result?: { proposal: string; outcome: string } };
    if (res.status !== 200 || body.status !== 'closed' || body.result?.proposal !== p.id) {
      problems.push(`${p.id}: GET answered ${res.status} status ${body.status} without its result`);
    } else outcomes.set(p.id, body.result.outcome);
  }
  if (problems.length) throw new Error(`Tallies are not exactly once:\n  ${problems.join('\n  ')}`);
  return outcomes;
}

/** How many `tally.result` entries the database holds for these proposals (polled by tests). */
export async function countTallies(query: (sql: string, params: unknown[]) => Promise<Array<{ n: number }>>, circles: string[]): Promise<number> {
  const [{ n }] = await query(`SELECT count(*)::int AS n FROM log_entry WHERE type = 'tally.result' AND circle = ANY($1::text[])`, [circles]);
  return n;
}

/**
 * The setting of a fault test, for one `describe`: a private Redis, the API in this process on
 * it (no worker: the test starts worker processes and pushes them on `workers`), all stopped
 * after the block. Read `redis` and `t` inside tests (they are set in beforeAll).
 */
export function faultSetting(opts: { appendonly?: boolean } = {}) {
  const setting = { redis: undefined as unknown as PrivateRedis, t: undefined as unknown as TestApp, workers: [] as WorkerProcess[] };
  beforeAll(async () => {
    setting.redis = await PrivateRedis.start({ appendonly: opts.appendonly ?? false });
    setting.t = await startTestApp({ env: { REDIS_URL: setting.redis.url, MIN_PROPOSAL_WINDOW_SECONDS: '1' } });
  });
  afterAll(async () => {
    for (const w of setting.workers) await w.kill();
    if (setting.redis && !setting.redis.running) await setting.redis.start(); // so that the app closes its queues cleanly
    await setting.t?.close();
    await setting.redis?.dispose();
  });
  return setting;
}

/** Waits until a queue has nothing active, waiting, delayed or failed. */
export async function drained(queue: Queue, what = `the ${queue.name} queue to drain`, timeoutMs = 10_000): Promise<void> {
  await eventually(
    async () => {
      const c = await queue.getJobCounts('active', 'waiting', 'delayed', 'failed');
      return c.active + c.waiting + c.delayed + c.failed === 0;
    },
    timeoutMs,
    what,
  );
}
