// `npm run bench:ingest` — statement ingestion through the real API, end to end: HTTP, JWS
// verification, the group-commit writer, PostgreSQL with synchronous_commit on.
//
// Creates its own database on the machine's PostgreSQL (admin URL BENCH_DATABASE_URL, default
// postgres://postgres@127.0.0.1:5432/test), migrates it, starts `node dist/main.js` as a child
// process (so the load generator does not share the server's event loop), registers members and
// builds circles through signed statements (not timed), pre-signs the measured statements (not
// timed: signing is client work), then posts them with undici at fixed concurrency and reports
// statements/s and latency for:
//   A "spread": statements spread over BENCH_CIRCLES (100) circles,
//   B "hot":    every statement into one circle.
// Also measures the raw Ed25519 verify rate of one core with OpenSSL (node:crypto; the yardstick of
// this machine's speed that the ratios below divide by, as in every earlier report) and with
// libsodium (what the service verifies with, src/platform/node-crypto.ts), the ratio ingest/verify,
// checks afterwards that the logs grew by exactly the number of 201 answers, and drops the database.
//
// Environment: BENCH_DATABASE_URL, REDIS_URL (default redis://127.0.0.1:6379), BENCH_STATEMENTS
// (per workload and concurrency, default 30,000), BENCH_CONCURRENCY (default "64,256"),
// BENCH_MEMBERS (default 2,000), BENCH_CIRCLES (default 100), BENCH_PHASE_SECONDS (cap per measured
// phase, default 40), BENCH_KEEP=1 (keep the database), BENCH_SERVER_ARGS (extra node flags for the
// API process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"), BENCH_API_PROCESSES (API_PROCESSES of
// the server: HTTP API processes sharing its port; default 1, the service's own default and the
// better setting measured on 2 cores, docs/configuration.md), BENCH_DB_DELAY_MS
// (the API reaches PostgreSQL through bench/delay-proxy.ts, which holds each chunk that long each
// way: a database on another host; its CPU counts as "other processes"), BENCH_WORKER=1 (run
// dist/worker.js beside the API, as an instance does: checkpoints cut every
// CHECKPOINT_INTERVAL_SECONDS, the self-audit every AUDIT_INTERVAL_SECONDS; its CPU is printed
// apart, its queries count in PostgreSQL's). Server CPU counts the API process and its children.
//
// The measured statement is `member.invite` of a registered member who is not (and never becomes)
// a member of the circle: valid over and over (circle-rules.ts decideInvite), each with a fresh id.
import '../src/platform/node';
import { spawn, ChildProcess } from 'node:child_process';
import { createPublicKey, randomBytes, verify as edVerify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { Pool } from 'undici';
import { openDataSource, runMigrations } from '../src/database/data-source';
import { cryptoProvider, verifyEd25519 } from '../src/core/crypto/crypto';
import { StatementSigner } from '../src/core/formats/statement-signer';
import { CLK_TCK, DIST, envInt, fmt, freePort, load, log, postgresTicks, processTreeTicks } from './bench-support';
import { ADMIN_URL, REDIS_URL, cleanRedis, postAll } from './instances';

const GOAL_SPREAD = 3_000;
const GOAL_HOT = 2_000;
const GOAL_P99_MS = 50;


const STATEMENTS = envInt('BENCH_STATEMENTS', 30_000);
const MEMBERS = envInt('BENCH_MEMBERS', 2_000);
const CIRCLES = envInt('BENCH_CIRCLES', 100);
const PHASE_SECONDS = envInt('BENCH_PHASE_SECONDS', 40);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '64,256').split(',').map((s) => Number(s.trim())).filter((n) => n > 0);
/** Registered members who never join anything: the invitees of the measured statements. */
const OUTSIDERS = 16;
const HOT_MEMBERS = Math.min(MEMBERS, 500);
const API_PROCESSES = envInt('BENCH_API_PROCESSES', 1);
const DB_DELAY_MS = envInt('BENCH_DB_DELAY_MS', 0);
/**
 * 1: run `dist/worker.js` beside the API, as an instance does: it cuts a signed checkpoint of every
 * log that grew each CHECKPOINT_INTERVAL_SECONDS (so the writer's head checks meet checkpoints, as
 * in production) and runs the self-audit each AUDIT_INTERVAL_SECONDS. Its CPU is printed apart.
 */
const WITH_WORKER = envInt('BENCH_WORKER', 0) === 1;
/**
 * CPU per accepted statement, in µs: the API processes' and PostgreSQL's CPU over the phase (cores ×
 * seconds) divided by the statements accepted. Unlike statements/s, this hardly moves with what
 * else runs on the machine, so progress shows whatever the noise. Goal (issue #15): 400 µs together.
 */
const GOAL_CPU_MICROS = 400;
function cpuPerStatement(r: { cpu: { server: number; pg: number }; seconds: number; ok: number }): { api: number; pg: number } {
  const per = (cores: number) => (r.ok ? (cores * r.seconds * 1e6) / r.ok : NaN);
  return { api: per(r.cpu.server), pg: per(r.cpu.pg) };
}


// ---------------------------------------------------------------- CPU accounting from /proc

function pgDelta(a: Map<number, number>, b: Map<number, number>): number {
  let total = 0;
  for (const [pid, ticks] of b) total += Math.max(0, ticks - (a.get(pid) ?? 0));
  return total;
}
function totalCpuTicks(): { busy: number; all: number; iowait: number; steal: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = line[3] + (line[4] ?? 0);
  const all = line.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: all - idle, all, iowait: line[4] ?? 0, steal: line[7] ?? 0 };
}
interface CpuSnap {
  server: number;
  worker: number;
  pg: Map<number, number>;
  bench: number;
  machine: ReturnType<typeof totalCpuTicks>;
  t: number;
}
let workerPid: number | undefined;
function cpuSnap(serverPid: number): CpuSnap {
  const u = process.cpuUsage();
  return {
    server: processTreeTicks(serverPid),
    worker: workerPid === undefined ? 0 : processTreeTicks(workerPid),
    pg: postgresTicks(),
    bench: (u.user + u.system) / 1e6,
    machine: totalCpuTicks(),
    t: performance.now(),
  };
}
function cpuShares(a: CpuSnap, b: CpuSnap) {
  const secs = (b.t - a.t) / 1000;
  return {
    server: (b.server - a.server) / CLK_TCK / secs,
    worker: (b.worker - a.worker) / CLK_TCK / secs,
    pg: pgDelta(a.pg, b.pg) / CLK_TCK / secs,
    bench: (b.bench - a.bench) / secs,
    machine: ((b.machine.busy - a.machine.busy) / (b.machine.all - a.machine.all)) * cpus().length,
    iowait: ((b.machine.iowait - a.machine.iowait) / (b.machine.all - a.machine.all)) * cpus().length,
    steal: ((b.machine.steal - a.machine.steal) / (b.machine.all - a.machine.all)) * cpus().length,
  };
}

// ---------------------------------------------------------------- HTTP

interface Answer {
  status: number;
  body: string;
}

async function post(pool: Pool, jws: string): Promise<Answer> {
  const res = await pool.request({
    path: '/api/v1/statements',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jws }),
  });
  return { status: res.statusCode, body: await res.body.text() };
}

interface PhaseResult {
  name: string;
  concurrency: number;
  sent: number;
  ok: number;
  errors: Map<string, number>;
  seconds: number;
  rate: number;
  p50: number;
  p99: number;
  max: number;
  cpu: ReturnType<typeof cpuShares>;
  loadBefore: string;
  loadAfter: string;
  logGrowth: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function measure(
  name: string,
  pool: Pool,
  jwss: string[],
  concurrency: number,
  serverPid: number,
  logSizes: () => Promise<number>,
): Promise<PhaseResult> {
  const latencies = new Float64Array(jwss.length);
  const errors = new Map<string, number>();
  let next = 0;
  let ok = 0;
  let sent = 0;
  const sizeBefore = await logSizes();
  const loadBefore = load();
  const deadline = performance.now() + PHASE_SECONDS * 1000;
  const c0 = cpuSnap(serverPid);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < jwss.length && performance.now() < deadline; i = next++) {
        const t = performance.now();
        let key: string | undefined;
        try {
          const a = await post(pool, jwss[i]);
          if (a.status !== 201) key = `${a.status} ${a.body.slice(0, 120)}`;
        } catch (e) {
          key = `network ${(e as Error).message}`;
        }
        latencies[sent++] = performance.now() - t;
        if (key) errors.set(key, (errors.get(key) ?? 0) + 1);
        else ok++;
      }
    }),
  );
  const c1 = cpuSnap(serverPid);
  const loadAfter = load();
  const seconds = (c1.t - c0.t) / 1000;
  const sorted = latencies.slice(0, sent).sort();
  const logGrowth = (await logSizes()) - sizeBefore;
  return {
    name,
    concurrency,
    sent,
    ok,
    errors,
    seconds,
    rate: ok / seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
    cpu: cpuShares(c0, c1),
    loadBefore,
    loadAfter,
    logGrowth,
  };
}

// ---------------------------------------------------------------- Ed25519 verify rate

/** Verifications a second on one core, with OpenSSL (`node:crypto`) or with the service's provider. */
function verifyRate(signer: StatementSigner, jws: string, by: 'openssl' | 'service', iterations = 20_000): number {
  const dot = jws.lastIndexOf('.');
  const data = Buffer.from(jws.slice(0, dot), 'utf8');
  const sig = Buffer.from(jws.slice(dot + 1), 'base64url');
  const key = createPublicKey({ key: { ...signer.publicJwk }, format: 'jwk' });
  const verifyOnce = by === 'openssl' ? () => edVerify(null, data, key, sig) : () => verifyEd25519(signer.publicKey, data, sig);
  for (let i = 0; i < 1_000; i++) verifyOnce(); // warm-up
  const t = performance.now();
  let good = 0;
  for (let i = 0; i < iterations; i++) if (verifyOnce()) good++;
  const secs = (performance.now() - t) / 1000;
  if (good !== iterations) throw new Error('verify failed');
  return iterations / secs;
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const started = performance.now();
  const dbName = `archipel_bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const pgVersion = ((await admin.query('SHOW server_version')).rows[0] as { server_version: string }).server_version;
  await admin.query(`CREATE DATABASE ${dbName}`);
  const dbUrlObj = new URL(ADMIN_URL);
  dbUrlObj.pathname = `/${dbName}`;
  const dbUrl = dbUrlObj.toString();
  let child: ChildProcess | undefined;
  let proxy: ChildProcess | undefined;
  let worker: ChildProcess | undefined;
  let dataDir: string | undefined;
  let ds: Awaited<ReturnType<typeof openDataSource>> | undefined;
  const queuePrefix = `bench${randomBytes(4).toString('hex')}`;
  try {
    log(`# Archipel ingest benchmark — ${new Date().toISOString()}`);
    log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}; node ${process.version}; PostgreSQL ${pgVersion}; load average ${load()}`);
    log(`database ${dbName}; ${fmt(MEMBERS)} members, ${CIRCLES} circles; ${fmt(STATEMENTS)} statements per phase (cap ${PHASE_SECONDS} s); concurrency ${CONCURRENCY.join(', ')}`);

    ds = await openDataSource({ url: dbUrl, poolSize: 2 });
    await runMigrations(ds);
    const syncCommit = ((await ds.query('SHOW synchronous_commit')) as Array<{ synchronous_commit: string }>)[0].synchronous_commit;
    const fsync = ((await ds.query('SHOW fsync')) as Array<{ fsync: string }>)[0].fsync;
    log(`synchronous_commit = ${syncCommit}; fsync = ${fsync}`);
    if (syncCommit !== 'on') throw new Error('synchronous_commit must be on for this benchmark');

    // Ed25519 verify rate of one core, before any load.
    const probe = StatementSigner.generate();
    const probeJws = probe.sign('member.invite', 'C'.repeat(43), { member: probe.id });
    const verifyPerSec = verifyRate(probe, probeJws, 'openssl');
    log(`Ed25519 verify (node:crypto, one core, ${probeJws.length}-byte statement): ${fmt(verifyPerSec)} /s`);
    const servicePerSec = verifyRate(probe, probeJws, 'service');
    log(`  as the service verifies (${cryptoProvider().name}): ${fmt(servicePerSec)} /s, ${fmt(1e6 / servicePerSec, 1)} µs each`);
    const verifyMicros = 1e6 / verifyPerSec;

    // The API as a child process, through the delaying proxy when asked.
    let apiDbUrl = dbUrl;
    if (DB_DELAY_MS > 0) {
      const proxyPort = await freePort();
      proxy = spawn(process.execPath, [join(__dirname, 'delay-proxy.js'), String(proxyPort), dbUrlObj.hostname, dbUrlObj.port || '5432', String(DB_DELAY_MS)], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      await new Promise<void>((resolve, reject) => {
        proxy!.once('message', () => resolve());
        proxy!.once('exit', (code) => reject(new Error(`delay proxy exited with ${code}`)));
      });
      const via = new URL(dbUrl);
      via.hostname = '127.0.0.1';
      via.port = String(proxyPort);
      apiDbUrl = via.toString();
      log(`the API reaches PostgreSQL through bench/delay-proxy.ts: ${DB_DELAY_MS} ms each way`);
    }
    const port = await freePort();
    // Its own data directory: the instance key, and the published checkpoints the self-audit holds
    // this run's fresh database to (another run's would say its logs went missing).
    dataDir = mkdtempSync(join(tmpdir(), 'archipel-bench-'));
    const env = {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: apiDbUrl,
      REDIS_URL,
      QUEUE_PREFIX: queuePrefix,
      LOG_LEVEL: 'warn',
      INSTANCE_NAME: 'bench.archipel',
      DATA_DIR: dataDir,
      DATABASE_POOL_SIZE: '16',
      API_PROCESSES: String(API_PROCESSES),
    };
    const nodeArgs = (process.env.BENCH_SERVER_ARGS ?? '').split(' ').filter(Boolean);
    child = spawn(process.execPath, [...nodeArgs, join(DIST, 'main.js')], { env, stdio: ['ignore', 'inherit', 'inherit'] });
    const base = `http://127.0.0.1:${port}`;
    const health = new Pool(base, { connections: 1 });
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
      await new Promise((r) => setTimeout(r, 100));
    }
    await health.close();
    const serverPid = child.pid as number;
    log(`API: node dist/main.js, pid ${serverPid}, ${base}, API_PROCESSES=${API_PROCESSES}, DATABASE_POOL_SIZE=16 each`);
    if (WITH_WORKER) {
      worker = spawn(process.execPath, [join(DIST, 'worker.js')], { env, stdio: ['ignore', 'inherit', 'inherit'] });
      workerPid = worker.pid as number;
      log(`worker: node dist/worker.js, pid ${workerPid} (checkpoints every ${process.env.CHECKPOINT_INTERVAL_SECONDS ?? 10} s, self-audit every ${process.env.AUDIT_INTERVAL_SECONDS ?? 60} s)`);
    }

    const pool = new Pool(base, { connections: Math.max(...CONCURRENCY, 64), pipelining: 1 });

    // ---- setup (not timed)
    let t = performance.now();
    const members = Array.from({ length: MEMBERS + OUTSIDERS }, () => StatementSigner.generate());
    await postAll(pool, members.map((m, i) => m.sign('member.register', null, { name: `member ${i}` })), 64);
    const outsiders = members.slice(MEMBERS);
    const insiders = members.slice(0, MEMBERS);

    // A: CIRCLES circles, members split among them; B: one circle of HOT_MEMBERS.
    const perCircle = Math.max(1, Math.floor(MEMBERS / CIRCLES));
    const spreadGroups = Array.from({ length: CIRCLES }, (_, c) => insiders.slice(c * perCircle, (c + 1) * perCircle));
    const hotGroup = insiders.slice(0, HOT_MEMBERS);
    const groups = [...spreadGroups, hotGroup];
    const created = await postAll(
      pool,
      groups.map((g, c) => g[0].sign('circle.create', null, { name: `circle ${c}`, regime: 'amendment' } as never)),
      64,
    );
    const circleIds = created.map((r) => r.id as string);
    const invites: string[] = [];
    const accepts: string[] = [];
    groups.forEach((g, c) => {
      for (const m of g.slice(1)) {
        invites.push(g[0].sign('member.invite', circleIds[c], { member: m.id }));
        accepts.push(m.sign('member.accept', circleIds[c], {}));
      }
    });
    await postAll(pool, invites, 64);
    await postAll(pool, accepts, 64);
    log(
      `setup: ${fmt(members.length)} registrations, ${groups.length} circles, ${fmt(invites.length)} invitations + acceptances in ${fmt((performance.now() - t) / 1000, 1)} s`,
    );

    const spreadIds = circleIds.slice(0, CIRCLES);
    const hotId = circleIds[CIRCLES];
    const logSizes = async (ids: string[]) =>
      Number(((await ds!.query(`SELECT coalesce(sum(size), 0)::bigint AS n FROM log_head WHERE circle = ANY($1::text[])`, [ids])) as Array<{ n: string }>)[0].n);

    // ---- the measured statements, pre-signed just before each phase (not timed; signing is
    // client work, and signing late keeps `at` well inside the server's clock-skew window)
    const signSpread = (n: number): string[] =>
      Array.from({ length: n }, (_, i) => {
        const c = i % CIRCLES;
        const g = spreadGroups[c];
        return g[(i / CIRCLES) % g.length | 0].sign('member.invite', spreadIds[c], { member: outsiders[i % OUTSIDERS].id });
      });
    const signHot = (n: number): string[] =>
      Array.from({ length: n }, (_, i) => hotGroup[i % hotGroup.length].sign('member.invite', hotId, { member: outsiders[i % OUTSIDERS].id }));
    const plan: Array<{ name: string; goal: number; ids: string[]; concurrency: number; sign: (n: number) => string[] }> = [];
    for (const concurrency of CONCURRENCY) {
      plan.push({ name: `A spread over ${CIRCLES} circles`, goal: GOAL_SPREAD, ids: spreadIds, concurrency, sign: signSpread });
      plan.push({ name: 'B one hot circle', goal: GOAL_HOT, ids: [hotId], concurrency, sign: signHot });
    }

    // Warm-up (not counted): JIT, connection pools, key cache.
    await postAll(pool, signSpread(2_000), 64);

    // Statistics, as an instance's autovacuum keeps them: without them PostgreSQL plans the
    // writer's lookups for empty tables. A PostgreSQL run with autovacuum off (as this machine's
    // may be) never gathers them, so the bench does, before each phase and outside its time.
    const autovacuum = ((await ds.query('SHOW autovacuum')) as Array<{ autovacuum: string }>)[0].autovacuum;
    log(`autovacuum = ${autovacuum}; ANALYZE before each phase (not timed)`);

    // ---- measured phases
    const results: PhaseResult[] = [];
    for (const p of plan) {
      await ds.query('ANALYZE');
      t = performance.now();
      const jwss = p.sign(STATEMENTS);
      const signSeconds = (performance.now() - t) / 1000;
      const r = await measure(p.name, pool, jwss, p.concurrency, serverPid, () => logSizes(p.ids));
      results.push(r);
      const errs = r.sent - r.ok;
      log();
      log(`${r.name}, ${r.concurrency} in flight: ${fmt(r.ok)} × 201 of ${fmt(r.sent)} sent (of ${fmt(STATEMENTS)} pre-signed in ${fmt(signSeconds, 1)} s) in ${fmt(r.seconds, 1)} s${r.sent < STATEMENTS ? ' — stopped at the time cap' : ''}`);
      log(`  ${fmt(r.rate)} statements/s (goal ≥ ${fmt(p.goal)}: ${r.rate >= p.goal ? 'met' : 'NOT met'})`);
      log(`  latency p50 ${fmt(r.p50, 1)} ms, p99 ${fmt(r.p99, 1)} ms (goal < ${GOAL_P99_MS}: ${r.p99 < GOAL_P99_MS ? 'met' : 'NOT met'}), max ${fmt(r.max, 1)} ms`);
      log(`  errors: ${errs}${[...r.errors].map(([k, n]) => `\n    ${n} × ${k}`).join('')}`);
      log(`  logs grew by ${fmt(r.logGrowth)} entries (${r.logGrowth === r.ok ? 'exactly the 201s' : `MISMATCH: ${r.ok} × 201`})`);
      log(
        `  CPU (cores): server ${fmt(r.cpu.server, 2)}, ${WITH_WORKER ? `worker ${fmt(r.cpu.worker, 2)}, ` : ''}PostgreSQL ${fmt(r.cpu.pg, 2)}, load generator ${fmt(r.cpu.bench, 2)}, other processes ${fmt(Math.max(0, r.cpu.machine - r.cpu.server - r.cpu.worker - r.cpu.pg - r.cpu.bench), 2)}, whole machine ${fmt(r.cpu.machine, 2)} of ${cpus().length} (+ iowait ${fmt(r.cpu.iowait, 2)}, steal ${fmt(r.cpu.steal, 2)})`,
      );
      log(`  load average before ${r.loadBefore}, after ${r.loadAfter}`);
      log(`  ingest/verify ratio: ${fmt(r.rate / verifyPerSec, 3)}`);
      const c = cpuPerStatement(r);
      log(
        `  CPU per statement: API ${fmt(c.api)} µs, PostgreSQL ${fmt(c.pg)} µs, together ${fmt(c.api + c.pg)} µs ` +
          `= ${fmt((c.api + c.pg) / verifyMicros, 1)} × one Ed25519 verify (${fmt(verifyMicros, 1)} µs); goal ≤ ${GOAL_CPU_MICROS} µs: ${c.api + c.pg <= GOAL_CPU_MICROS ? 'met' : 'NOT met'}`,
      );
    }
    await pool.close();

    // ---- summary
    log();
    log('| workload | in flight | statements/s | goal | p50 ms | p99 ms | max ms | errors | log growth = 201s | server CPU | PostgreSQL CPU | other CPU | ingest ÷ verify | API µs/stmt | PostgreSQL µs/stmt | ÷ verify |');
    log('|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const [i, r] of results.entries()) {
      const c = cpuPerStatement(r);
      log(
        `| ${r.name} | ${r.concurrency} | ${fmt(r.rate)} | ≥ ${fmt(plan[i].goal)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${fmt(r.max, 1)} | ${r.sent - r.ok} | ${r.logGrowth === r.ok ? 'yes' : 'NO'} | ${fmt(r.cpu.server, 2)} | ${fmt(r.cpu.pg, 2)} | ${fmt(Math.max(0, r.cpu.machine - r.cpu.server - r.cpu.worker - r.cpu.pg - r.cpu.bench), 2)} | ${fmt(r.rate / verifyPerSec, 3)} | ${fmt(c.api)} | ${fmt(c.pg)} | ${fmt((c.api + c.pg) / verifyMicros, 1)} |`,
      );
    }
    log(`Ed25519 verify, one core: ${fmt(verifyPerSec)} /s; goals: ≥ ${fmt(GOAL_SPREAD)}/s spread, ≥ ${fmt(GOAL_HOT)}/s hot, p99 < ${GOAL_P99_MS} ms, synchronous_commit on (${syncCommit})`);
    log(`total ${fmt((performance.now() - started) / 1000, 1)} s; load average ${load()}`);
    const failed = results.some((r) => r.logGrowth !== r.ok);
    if (failed) process.exitCode = 1;
  } finally {
    if (worker && worker.exitCode === null) worker.kill('SIGTERM');
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    proxy?.kill();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    await ds?.destroy().catch(() => undefined);
    await cleanRedis(queuePrefix).catch(() => undefined);
    if (process.env.BENCH_KEEP === '1') log(`kept database ${dbName}`);
    else await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((e) => {
  process.stderr.write(`bench:ingest failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
