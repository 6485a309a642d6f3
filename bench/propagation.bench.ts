// `npm run bench:propagation` — how long an adopted decision takes to reach the root (SPEC §8, §9),
// end to end: the close job's commit in the leaf, the transactional outbox, BullMQ, one
// `decision.propagate` job per decision (receipts appended ancestor by ancestor), the group-commit writer, PostgreSQL with
// synchronous_commit on.
//
// Creates its own database on the machine's PostgreSQL (admin URL BENCH_DATABASE_URL, default
// postgres://postgres@127.0.0.1:5432/test), migrates it, starts `node dist/main.js` and
// BENCH_WORKERS (1) × `node dist/worker.js` as child processes (MIN_PROPOSAL_WINDOW_SECONDS=1,
// WORKER_CONCURRENCY default, a private QUEUE_PREFIX), and builds a federation five circles deep:
// root → d2 → d3 → d4 → BENCH_LEAVES (10) leaves, all unanimity, 'alice' the one member of each.
// Then rounds: N motions opened in the leaves (round-robin), all with the same closesAt, alice votes
// yes on each before closesAt, and the round ends when the root holds all N receipts. Measured per
// decision, from the logs after the run (log_entry of the bench database, joined through the
// receipt table): recordedAt of the leaf's `tally.result` → recordedAt of the `child.decision`
// receipt in the root; and per hop, the receipt's recordedAt in each ancestor. From the BullMQ job
// hashes (kept one hour after completion): when each decision's propagate job was added (outbox
// dispatch), picked up by a worker, and finished — where the time goes.
//
// Environment: BENCH_DATABASE_URL, REDIS_URL (default redis://127.0.0.1:6379), BENCH_LEVELS
// (decisions in flight per round, default "1,10,100"), BENCH_ROUNDS (rounds per level, default
// "8,4,2"), BENCH_LEAVES (10), BENCH_WORKERS (1), BENCH_KEEP=1 (keep the database and queue keys).
import '../src/platform/node';
import { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { Client } from 'pg';
import { Pool } from 'undici';
import { openDataSource, runMigrations } from '../src/database/data-source';
import { parseCompact } from '../src/core/formats/statement';
import { StatementSigner } from '../src/core/formats/statement-signer';
import { formatTimestamp } from '../src/core/formats/canonical-json';
import { decodeEntryLine } from '../src/core/formats/entry';
import { CLK_TCK, envInt, fmt, freePort, load, log, percentile, postgresTicks, procTicks, sleep } from './bench-support';
import { ADMIN_URL, REDIS_URL, cleanRedis, postAll, postJws, startChild, stopChild } from './instances';

const GOAL_MEDIAN_MS_AT_100 = 1_000;

const intList = (raw: string) => raw.split(',').map((s) => Number(s.trim())).filter((n) => Number.isSafeInteger(n) && n > 0);

const LEVELS = intList(process.env.BENCH_LEVELS ?? '1,10,100');
const ROUNDS = intList(process.env.BENCH_ROUNDS ?? '8,4,2');
const LEAVES = envInt('BENCH_LEAVES', 10);
const WORKERS = envInt('BENCH_WORKERS', 1);
const ROUND_TIMEOUT_MS = 60_000;
/** Total run cap: stop starting rounds after this. */
const RUN_CAP_MS = 4 * 60_000;


// ---------------------------------------------------------------- CPU accounting from /proc

function machineTicks(): { busy: number; all: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = line[3] + (line[4] ?? 0);
  const all = line.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: all - idle, all };
}
interface CpuSnap {
  api: number;
  workers: number;
  pg: Map<number, number>;
  machine: ReturnType<typeof machineTicks>;
  t: number;
}
interface CpuSeconds {
  api: number;
  workers: number;
  pg: number;
  machine: number;
  wall: number;
}
function cpuSnap(apiPid: number, workerPids: number[]): CpuSnap {
  return {
    api: procTicks(apiPid),
    workers: workerPids.reduce((s, p) => s + procTicks(p), 0),
    pg: postgresTicks(),
    machine: machineTicks(),
    t: performance.now(),
  };
}
function cpuSeconds(a: CpuSnap, b: CpuSnap): CpuSeconds {
  let pg = 0;
  for (const [pid, ticks] of b.pg) pg += Math.max(0, ticks - (a.pg.get(pid) ?? 0));
  const wall = (b.t - a.t) / 1000;
  return {
    api: (b.api - a.api) / CLK_TCK,
    workers: (b.workers - a.workers) / CLK_TCK,
    pg: pg / CLK_TCK,
    machine: ((b.machine.busy - a.machine.busy) / (b.machine.all - a.machine.all)) * cpus().length * wall,
    wall,
  };
}
const addCpu = (x: CpuSeconds, y: CpuSeconds): CpuSeconds => ({
  api: x.api + y.api,
  workers: x.workers + y.workers,
  pg: x.pg + y.pg,
  machine: x.machine + y.machine,
  wall: x.wall + y.wall,
});

function stats(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p99: percentile(s, 99), min: s[0] ?? NaN, max: s[s.length - 1] ?? NaN };
}

// ---------------------------------------------------------------- main

interface Decision {
  level: number;
  round: number;
  proposal: string;
  leaf: string;
  closesAt: number;
}

interface RoundResult {
  level: number;
  round: number;
  n: number;
  votesDoneBeforeClose: number;
  wallMs: number;
  cpu: CpuSeconds;
  loadAfter: string;
}

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
  const queuePrefix = `bench${randomBytes(4).toString('hex')}`;
  let api: ChildProcess | undefined;
  const workers: ChildProcess[] = [];
  let ds: Awaited<ReturnType<typeof openDataSource>> | undefined;
  let pool: Pool | undefined;
  try {
    log(`# Archipel propagation benchmark — ${new Date().toISOString()}`);
    log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}; node ${process.version}; PostgreSQL ${pgVersion}; load average ${load()}`);
    log(`database ${dbName}; queue prefix ${queuePrefix}; ${WORKERS} worker process(es); ${LEAVES} leaves at depth 5; levels ${LEVELS.join(', ')} × rounds ${ROUNDS.join(', ')}`);

    ds = await openDataSource({ url: dbUrl, poolSize: 2 });
    await runMigrations(ds);
    const syncCommit = ((await ds.query('SHOW synchronous_commit')) as Array<{ synchronous_commit: string }>)[0].synchronous_commit;
    log(`synchronous_commit = ${syncCommit}`);

    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: dbUrl,
      REDIS_URL,
      QUEUE_PREFIX: queuePrefix,
      LOG_LEVEL: 'warn',
      INSTANCE_NAME: 'bench.archipel',
      MIN_PROPOSAL_WINDOW_SECONDS: '1',
      RUN_MIGRATIONS: 'false',
    };
    delete env.WORKER_CONCURRENCY;
    delete env.WORKER_JOBS;
    api = startChild('main.js', env);
    const base = `http://127.0.0.1:${port}`;
    const health = new Pool(base, { connections: 1 });
    for (let i = 0; ; i++) {
      if (api.exitCode !== null) throw new Error(`API exited with ${api.exitCode}`);
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
    await health.close();
    for (let i = 0; i < WORKERS; i++) workers.push(startChild('worker.js', env));
    const apiPid = api.pid as number;
    const workerPids = workers.map((w) => w.pid as number);
    log(`API: node dist/main.js pid ${apiPid}; workers: node dist/worker.js pid ${workerPids.join(', ')} (WORKER_CONCURRENCY default)`);

    pool = new Pool(base, { connections: 16, pipelining: 1 });

    // ---- the federation (not timed)
    const alice = StatementSigner.generate();
    await postJws(pool, alice.sign('member.register', null, { name: 'alice' }));
    const create = async (name: string, parent?: string) =>
      (await postJws(pool!, alice.sign('circle.create', null, { name, regime: 'unanimity', ...(parent ? { parent } : {}) } as never))).id as string;
    const root = await create('Root');
    const d2 = await create('Depth 2', root);
    const d3 = await create('Depth 3', d2);
    const d4 = await create('Depth 4', d3);
    const leaves: string[] = [];
    for (let i = 0; i < LEAVES; i++) leaves.push(await create(`Leaf ${i}`, d4));
    const ancestors = [d4, d3, d2, root];
    log(`federation: root → depth 2 → depth 3 → depth 4 → ${LEAVES} leaves (depth 5); unanimity; alice alone in each`);

    // ---- rounds
    const decisions: Decision[] = [];
    const rounds: RoundResult[] = [];
    let leafCursor = 0;
    const receiptsInRoot = async (ids: string[]) =>
      Number(((await ds!.query(`SELECT count(*)::int AS n FROM receipt WHERE ancestor = $1 AND proposal = ANY($2::text[])`, [root, ids])) as Array<{ n: number }>)[0].n);

    const runRound = async (level: number, round: number): Promise<RoundResult> => {
      const t0 = Date.now();
      // Long enough for N opens and N votes to commit before it (not measured).
      const closesAt = t0 + 1_500 + 30 * level;
      const at = formatTimestamp(closesAt);
      const mine = Array.from({ length: level }, () => leaves[leafCursor++ % leaves.length]);
      const opened = await postAll(
        pool!,
        mine.map((leaf, i) => alice.sign('proposal.open', leaf, { kind: 'motion', title: `Decision ${level}/${round}/${i}`, text: 'Bench.', closesAt: at } as never)),
        16,
      );
      const ids = opened.map((o) => o.id as string);
      await postAll(pool!, ids.map((id, i) => alice.sign('vote.cast', mine[i], { proposal: id, choice: 'yes' })), 16);
      const votesDone = Date.now();
      if (votesDone > closesAt - 100) log(`  warning: round ${level}/${round} votes finished ${votesDone - closesAt} ms after closesAt - 100 ms`);
      ids.forEach((proposal, i) => decisions.push({ level, round, proposal, leaf: mine[i], closesAt }));
      await sleep(closesAt - Date.now());
      const c0 = cpuSnap(apiPid, workerPids);
      const deadline = Date.now() + ROUND_TIMEOUT_MS;
      for (;;) {
        if (workers.some((w) => w.exitCode !== null) || api!.exitCode !== null) throw new Error('a child process exited');
        if ((await receiptsInRoot(ids)) >= ids.length) break;
        if (Date.now() > deadline) throw new Error(`round ${level}/${round}: not all receipts reached the root within ${ROUND_TIMEOUT_MS / 1000} s`);
        await sleep(50);
      }
      const c1 = cpuSnap(apiPid, workerPids);
      return { level, round, n: level, votesDoneBeforeClose: closesAt - votesDone, wallMs: Date.now() - closesAt, cpu: cpuSeconds(c0, c1), loadAfter: load() };
    };

    // Warm-up (also the proof the worker is up): two rounds of 5, not counted.
    await runRound(5, -1);
    await runRound(5, -2);
    const warmupIds = new Set(decisions.map((d) => d.proposal));
    log(`warm-up: ${warmupIds.size} decisions reached the root; load average ${load()}`);

    let capped = false;
    for (const [li, level] of LEVELS.entries()) {
      const n = ROUNDS[li] ?? ROUNDS[ROUNDS.length - 1] ?? 1;
      for (let r = 0; r < n; r++) {
        if (performance.now() - started > RUN_CAP_MS) {
          capped = true;
          break;
        }
        const res = await runRound(level, r);
        rounds.push(res);
        log(`  ${level} in flight, round ${r + 1}/${n}: all ${level} at the root ${fmt(res.wallMs)} ms after closesAt; load ${res.loadAfter}`);
      }
    }
    if (capped) log(`run cap of ${RUN_CAP_MS / 1000} s reached: remaining rounds skipped`);
    await sleep(300); // let in-flight job bookkeeping settle before reading Redis

    // ---- analysis, from the logs
    const allIds = decisions.map((d) => d.proposal);
    const rows = (await ds.query(
      `SELECT r.ancestor, r.child, r.proposal,
              (extract(epoch FROM t.recorded_at) * 1000)::float8 AS tally_at, r.child_seq::int AS child_seq,
              (extract(epoch FROM e.recorded_at) * 1000)::float8 AS receipt_at
         FROM receipt r
         JOIN log_entry e ON e.circle = r.ancestor AND e.seq = r.seq
         JOIN log_entry t ON t.circle = r.child AND t.seq = r.child_seq
        WHERE r.proposal = ANY($1::text[])`,
      [allIds],
    )) as Array<{ ancestor: string; child: string; proposal: string; tally_at: number; child_seq: number; receipt_at: number }>;
    const byProposal = new Map<string, { tallyAt: number; childSeq: number; at: Map<string, number> }>();
    for (const r of rows) {
      const p = byProposal.get(r.proposal) ?? { tallyAt: r.tally_at, childSeq: r.child_seq, at: new Map() };
      p.at.set(r.ancestor, r.receipt_at);
      byProposal.set(r.proposal, p);
    }

    // Exactly once: every ancestor's log holds one child.decision per decision, no more.
    const once: Array<{ ancestor: string; entries: number; distinct: number }> = [];
    for (const a of ancestors) {
      const lines = (await ds.query(`SELECT line FROM log_entry WHERE circle = $1 AND type = 'child.decision'`, [a])) as Array<{ line: string }>;
      const distinct = new Set<string>();
      for (const { line } of lines) {
        const d = decodeEntryLine(line);
        if (!d.ok) throw new Error(d.reason);
        const body = parseCompact(d.entry.jws).payload.body as { child: string; proposal: string };
        distinct.add(`${body.child} ${body.proposal}`);
      }
      once.push({ ancestor: a, entries: lines.length, distinct: distinct.size });
    }

    // Where the time goes: BullMQ job hashes of every propagate job (added, picked up, finished).
    const { default: Redis } = await import('ioredis');
    const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    const jobTimes = async (queue: string, id: string) => {
      const h = await redis.hmget(`${queuePrefix}:${queue}:${id}`, 'timestamp', 'processedOn', 'finishedOn', 'atm');
      return { added: Number(h[0]), picked: Number(h[1]), finished: Number(h[2]), attempts: Number(h[3] ?? 0) }; // atm: attempts made, 1 when done first time
    };
    interface Trip {
      dispatch: number; // leaf tally recordedAt → the decision's job added to BullMQ (commit + outbox kick)
      pickup: number; // job added → a worker picked it up
      receipts: number[]; // per ancestor: previous step (pick-up, then the receipt before) → this receipt recordedAt
      finishAfter: number; // root receipt recordedAt → job finished
    }
    const trips: Trip[] = []; // in the order of `decisions` less warm-up and missing ones
    const closeLag: Array<{ level: number; ms: number; pickup: number }> = [];
    let retried = 0;
    for (const d of decisions) {
      if (warmupIds.has(d.proposal)) continue;
      const p = byProposal.get(d.proposal);
      if (!p) continue;
      const close = await jobTimes('proposal.close', `tally-${d.proposal}`);
      closeLag.push({ level: d.level, ms: p.tallyAt - d.closesAt, pickup: close.picked - d.closesAt });
      // One job per decision, named for its first ancestor (the leaf's parent).
      const j = await jobTimes('decision.propagate', `receipt-${d.leaf}-${p.childSeq}-${ancestors[0]}`);
      if (j.attempts > 1) retried++;
      const receipts: number[] = [];
      let prev = j.picked;
      for (const a of ancestors) {
        const at = p.at.get(a) ?? NaN;
        receipts.push(at - prev);
        prev = at;
      }
      trips.push({ dispatch: j.added - p.tallyAt, pickup: j.picked - j.added, receipts, finishAfter: j.finished - prev });
    }
    await redis.quit();

    // ---- report
    log();
    log('## Leaf tally.result → root child.decision (recordedAt to recordedAt), per decision');
    log('| in flight | decisions | median ms | p99 ms | min ms | max ms | closesAt → leaf tally, median ms | all at root after closesAt, median round ms | API CPU s/round | worker CPU s/round | PostgreSQL CPU s/round | machine busy (cores) |');
    log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    const summary: Array<{ level: number; p50: number; p99: number }> = [];
    for (const level of LEVELS) {
      const mine = decisions.filter((d) => d.level === level && !warmupIds.has(d.proposal));
      const lat = mine.map((d) => byProposal.get(d.proposal)).filter((p) => p?.at.has(root)).map((p) => p!.at.get(root)! - p!.tallyAt);
      if (!lat.length) continue;
      const s = stats(lat);
      summary.push({ level, p50: s.p50, p99: s.p99 });
      const rs = rounds.filter((r) => r.level === level);
      const cpu = rs.map((r) => r.cpu).reduce(addCpu);
      const k = rs.length;
      const closeS = stats(closeLag.filter((c) => c.level === level).map((c) => c.ms));
      log(
        `| ${level} | ${s.n} | ${fmt(s.p50)} | ${fmt(s.p99)} | ${fmt(s.min)} | ${fmt(s.max)} | ${fmt(closeS.p50)} | ${fmt(stats(rs.map((r) => r.wallMs)).p50)} | ${fmt(cpu.api / k, 2)} | ${fmt(cpu.workers / k, 2)} | ${fmt(cpu.pg / k, 2)} | ${fmt(cpu.machine / cpu.wall, 2)} |`,
      );
    }
    const at100 = summary.find((s) => s.level === 100);
    log();
    log(
      `goal: median < ${fmt(GOAL_MEDIAN_MS_AT_100)} ms with 100 decisions in flight — ${at100 ? `${fmt(at100.p50)} ms: ${at100.p50 < GOAL_MEDIAN_MS_AT_100 ? 'met' : 'NOT met'}` : 'not measured'}`,
    );
    if (summary.length > 1) {
      const first = summary[0];
      log(`growth: ${summary.map((s) => `${s.level} in flight ×${fmt(s.p50 / first.p50, 1)} median, ×${fmt(s.p99 / first.p99, 1)} p99`).join('; ')} (relative to ${first.level})`);
    }

    log();
    log('## Where the time goes, median ms (one propagate job per decision carries its receipt to every ancestor)');
    log('| in flight | leaf tally → job added (commit + outbox dispatch) | added → picked up | picked up → depth 4 receipt | → depth 3 | → depth 2 | → root | root receipt → job finished |');
    log('|---:|---:|---:|---:|---:|---:|---:|---:|');
    const names = ['depth 4', 'depth 3', 'depth 2', 'root'];
    const counted = decisions.filter((d) => !warmupIds.has(d.proposal) && byProposal.has(d.proposal));
    for (const level of LEVELS) {
      const list = trips.filter((_, i) => counted[i].level === level);
      if (!list.length) continue;
      const m = (f: (x: Trip) => number) => fmt(stats(list.map(f).filter(Number.isFinite)).p50);
      log(
        `| ${level} | ${m((x) => x.dispatch)} | ${m((x) => x.pickup)} | ${[0, 1, 2, 3].map((h) => m((x) => x.receipts[h])).join(' | ')} | ${m((x) => x.finishAfter)} |`,
      );
    }
    log();
    log('| in flight | closesAt → close job picked up | closesAt → leaf tally recorded |');
    log('|---:|---:|---:|');
    for (const level of LEVELS) {
      const cl = closeLag.filter((c) => c.level === level);
      if (cl.length) log(`| ${level} | ${fmt(stats(cl.map((c) => c.pickup)).p50)} | ${fmt(stats(cl.map((c) => c.ms)).p50)} |`);
    }
    log(`propagate jobs that needed more than one attempt: ${retried}`);

    log();
    log('## Exactly once');
    const total = decisions.length;
    let allOnce = true;
    for (const [i, o] of once.entries()) {
      const ok = o.entries === total && o.distinct === total;
      allOnce &&= ok;
      log(`${names[i]} (${o.ancestor}): ${o.entries} child.decision entries, ${o.distinct} distinct decisions, ${total} decisions taken (incl. ${warmupIds.size} warm-up) — ${ok ? 'exactly once' : 'MISMATCH'}`);
    }
    log();
    log(`total ${fmt((performance.now() - started) / 1000, 1)} s; load average ${load()}`);
    if (!allOnce || (at100 && !Number.isFinite(at100.p50))) process.exitCode = 1;
  } finally {
    await pool?.close().catch(() => undefined);
    await Promise.all(workers.map((w) => stopChild(w)));
    await stopChild(api);
    await ds?.destroy().catch(() => undefined);
    if (process.env.BENCH_KEEP === '1') log(`kept database ${dbName} and queue keys ${queuePrefix}:*`);
    else {
      await cleanRedis(queuePrefix).catch((e) => log(`could not delete queue keys: ${(e as Error).message}`));
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    }
    await admin.end();
  }
}

main().catch((e) => {
  process.stderr.write(`bench:propagation failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
