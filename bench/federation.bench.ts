// `npm run bench:federation` — the two figures of SPEC §12 across instances, each a part chosen by
// BENCH_PARTS (a comma-separated list, default "witness,receipts"):
//
// witness — witnessing load (SPEC §12.1): how many add-checkpoint requests per second one witness
// receives from an instance with BENCH_CIRCLES (1,000) active circles, and how far behind the
// cosigned checkpoints run. Two instances: the log instance L (`dist/main.js` and one
// `dist/worker.js`) and the witness instance W (`dist/main.js`; a witness needs no worker). L's
// policy names W through a counting HTTP proxy started here, which timestamps every add-checkpoint
// request. The circles are created (not timed), then for BENCH_SECONDS (60) a loader appends
// BENCH_APPEND_RATE (100) statements per second (member.invite) to random circles, so every circle
// keeps getting new checkpoints. Reported: requests per second at the witness (mean and the
// busiest second) against the budget (WITNESS_REQUESTS_PER_SECOND, default 10 here), the answers'
// statuses, how long until every circle had a cosigned checkpoint at the start, and at the end how
// many circles' newest checkpoint is cosigned.
//
// receipts — a decision's receipt crossing three instances (SPEC §8, §12.2). Instances A, B, C, each
// `dist/main.js` and one `dist/worker.js`, FEDERATION_PEERS naming the other two; a member
// registered on A and brought to B and C; a root circle on A, a child on B, a grandchild on C (not
// timed). Then BENCH_DECISIONS (100) motions are opened in C together, each adopted by the sole
// member's yes vote (unanimity) and closed a few seconds later, all at the same closesAt. Per
// decision, from the three databases after the run: recordedAt of its `tally.result` in C →
// recordedAt of its `child.decision` in B (the hop C → B) and in A (C → B → A); and from C's and
// B's BullMQ job hashes, where the time goes on each hop (outbox, wait for a worker, the peer's
// answer, retries). Goal: median C → A under 2 s with 100 decisions in flight.
//
// Every instance has its own database on the machine's PostgreSQL (admin URL BENCH_DATABASE_URL),
// its own queue prefix on REDIS_URL, its own instance key file (0600) and data directories.
//
// Environment: BENCH_PARTS, BENCH_DATABASE_URL, REDIS_URL, BENCH_CIRCLES, BENCH_SECONDS,
// BENCH_APPEND_RATE, WITNESS_REQUESTS_PER_SECOND (10), WITNESS_INTERVAL_SECONDS (5),
// BENCH_DECISIONS (100), BENCH_KEEP=1 (keep the databases and queue keys).
import '../src/platform/node';
import { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519';
import { Client } from 'pg';
import { Pool } from 'undici';
import { openDataSource } from '../src/database/data-source';
import { formatTimestamp } from '../src/core/formats/canonical-json';
import { formatWitnessKey } from '../src/core/formats/cosignature';
import { formatVerifierKey } from '../src/core/formats/signed-note';
import { StatementSigner } from '../src/core/formats/statement-signer';
import { CLK_TCK, envInt, fmt, freePort, load, log, percentile, postgresTicks, procTicks, sleep } from './bench-support';
import { ADMIN_URL, REDIS_URL, cleanRedis, database, healthy, postAll, postJws, startChild, stopChild } from './instances';

const PARTS = new Set((process.env.BENCH_PARTS ?? 'witness,receipts').split(',').map((p) => p.trim()).filter((p) => p.length > 0));
const CIRCLES = envInt('BENCH_CIRCLES', 1000);
const SECONDS = envInt('BENCH_SECONDS', 60);
const APPEND_RATE = envInt('BENCH_APPEND_RATE', 100);
const RATE = process.env.WITNESS_REQUESTS_PER_SECOND ?? '10';
const INTERVAL = process.env.WITNESS_INTERVAL_SECONDS ?? '5';
const DECISIONS = envInt('BENCH_DECISIONS', 100);
const GOAL_MEDIAN_MS = 2_000;
const RECEIPTS_TIMEOUT_MS = 120_000;

const COMMON_ENV: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', HOST: '127.0.0.1', REDIS_URL, LOG_LEVEL: 'warn', RUN_MIGRATIONS: 'false' };

/** What a part leaves to be cleaned up whatever happens: its databases, queue prefixes and files under `dir`. */
interface Run {
  dir: string;
  tag: string;
  admin: Client;
  databases: string[];
  prefixes: string[];
}

async function stopAll(children: ChildProcess[]): Promise<void> {
  for (const c of [...children].reverse()) await stopChild(c);
}

async function witnessLoad(run: Run): Promise<void> {
  const { dir, tag, admin } = run;
  const children: ChildProcess[] = [];
  const names = [`archipel_bench_l_${tag}`, `archipel_bench_w_${tag}`];
  run.databases.push(...names);
  run.prefixes.push(`benchw${tag}`, `benchl${tag}`);
  const requests: number[] = [];
  const statuses = new Map<number, number>();
  let proxy: ReturnType<typeof createServer> | undefined;
  try {
    log();
    log(`## Witnessing load — ${new Date().toISOString()}, load average ${load()}`);
    log(`${fmt(CIRCLES)} circles; ${SECONDS} s of ${APPEND_RATE} statements/s to random circles; WITNESS_REQUESTS_PER_SECOND=${RATE}, WITNESS_INTERVAL_SECONDS=${INTERVAL}`);
    const [logUrl, witnessUrl] = [await database(admin, names[0]), await database(admin, names[1])];

    const logSigner = StatementSigner.generate();
    writeFileSync(join(dir, 'l.jwk'), JSON.stringify(logSigner.exportPrivateJwk()), { mode: 0o600 });
    const seed = randomBytes(32);
    writeFileSync(join(dir, 'w.seed'), seed.toString('base64'), { mode: 0o600 });
    const witnessKey = formatWitnessKey('w.bench/witness', ed25519.getPublicKey(seed));
    const [lPort, wPort, proxyPort] = [await freePort(), await freePort(), await freePort()];

    // The counting proxy in front of the witness.
    proxy = createServer((req, res) => {
      if (req.url?.endsWith('/add-checkpoint')) requests.push(performance.now());
      const upstream = httpRequest({ host: '127.0.0.1', port: wPort, path: req.url, method: req.method, headers: req.headers }, (up) => {
        statuses.set(up.statusCode ?? 0, (statuses.get(up.statusCode ?? 0) ?? 0) + 1);
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    await new Promise<void>((r) => proxy!.listen(proxyPort, '127.0.0.1', () => r()));

    const common = { ...COMMON_ENV, CHECKPOINT_INTERVAL_SECONDS: '1' };
    const wEnv = { ...common, PORT: String(wPort), DATABASE_URL: witnessUrl, QUEUE_PREFIX: `benchw${tag}`, INSTANCE_NAME: 'w.bench', WITNESS_KEY_FILE: join(dir, 'w.seed'), WITNESSED_LOGS: formatVerifierKey('l.bench', logSigner.rawPublicKey) };
    const lEnv = {
      ...common,
      PORT: String(lPort),
      DATABASE_URL: logUrl,
      QUEUE_PREFIX: `benchl${tag}`,
      INSTANCE_NAME: 'l.bench',
      INSTANCE_KEY_STORE: join(dir, 'l.jwk'),
      DATA_DIR: join(dir, 'data'),
      WITNESS_POLICY: `witness W ${witnessKey} http://127.0.0.1:${proxyPort}/witness;quorum W`,
      WITNESS_REQUESTS_PER_SECOND: RATE,
      WITNESS_INTERVAL_SECONDS: INTERVAL,
    };
    const w = startChild('main.js', wEnv);
    children.push(w);
    const l = startChild('main.js', lEnv);
    children.push(l);
    await healthy(`http://127.0.0.1:${wPort}`, w);
    await healthy(`http://127.0.0.1:${lPort}`, l);

    const pool = new Pool(`http://127.0.0.1:${lPort}`, { connections: 8 });
    const alice = StatementSigner.generate();
    await postJws(pool, alice.sign('member.register', null, { name: 'alice' }));
    const guests: StatementSigner[] = [];
    for (let i = 0; i < 100; i++) {
      const g = StatementSigner.generate();
      await postJws(pool, g.sign('member.register', null, { name: `guest ${i}` }));
      guests.push(g);
    }
    const circles: string[] = [];
    const t0 = performance.now();
    for (let i = 0; i < CIRCLES; i += 8) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(8, CIRCLES - i) }, (_, j) => postJws(pool, alice.sign('circle.create', null, { name: `Circle ${i + j}`, regime: 'unanimity' } as never))),
      );
      circles.push(...batch.map((b) => b.id as string));
    }
    log(`created ${fmt(circles.length)} circles in ${fmt((performance.now() - t0) / 1000, 1)} s`);

    // The worker starts now: every circle has a checkpoint to send.
    const worker = startChild('worker.js', lEnv);
    children.push(worker);
    const ds = await openDataSource({ url: logUrl, poolSize: 1 });
    const cosignedCircles = async () =>
      Number(((await ds.query(`SELECT count(DISTINCT circle)::int AS n FROM checkpoint_cosignature WHERE circle <> 'registry'`)) as Array<{ n: number }>)[0].n);
    const tStart = performance.now();
    let allCosignedAt: number | null = null;

    // Active: appends to random circles while the witness is asked.
    const invited = new Set<string>();
    const activeUntil = performance.now() + SECONDS * 1000;
    let appended = 0;
    while (performance.now() < activeUntil) {
      const tick = performance.now();
      const jobs: Array<Promise<unknown>> = [];
      for (let k = 0; k < APPEND_RATE / 10; k++) {
        const c = circles[Math.floor(Math.random() * circles.length)];
        const g = guests[Math.floor(Math.random() * guests.length)];
        if (invited.has(`${c}/${g.id}`)) continue;
        invited.add(`${c}/${g.id}`);
        jobs.push(postJws(pool, alice.sign('member.invite', c, { member: g.id } as never)).then(() => appended++));
      }
      await Promise.all(jobs);
      if (allCosignedAt === null && (await cosignedCircles()) >= circles.length) allCosignedAt = performance.now();
      await sleep(100 - (performance.now() - tick));
    }
    const tEnd = performance.now();
    await sleep(1000);

    const inWindow = requests.filter((t) => t >= tStart && t <= tEnd);
    const perSecond = new Map<number, number>();
    for (const t of inWindow) perSecond.set(Math.floor((t - tStart) / 1000), (perSecond.get(Math.floor((t - tStart) / 1000)) ?? 0) + 1);
    const seconds = (tEnd - tStart) / 1000;
    const busiest = Math.max(0, ...perSecond.values());
    const [{ n: current }] = (await ds.query(
      `SELECT count(*)::int AS n FROM (SELECT DISTINCT ON (circle) circle, size FROM checkpoint WHERE circle <> 'registry' ORDER BY circle, size DESC) c
        WHERE EXISTS (SELECT 1 FROM checkpoint_cosignature x WHERE x.circle = c.circle AND x.size = c.size)`,
    )) as Array<{ n: number }>;
    await ds.destroy();
    await pool.close();

    log();
    log(`appended ${fmt(appended)} statements in ${fmt(seconds, 1)} s (${fmt(appended / seconds, 1)}/s)`);
    log(`witness requests: ${fmt(inWindow.length)} in ${fmt(seconds, 1)} s = ${fmt(inWindow.length / seconds, 2)}/s mean, ${busiest} in the busiest second (budget ${RATE}/s)`);
    log(`answers: ${[...statuses].map(([s, n]) => `${s} × ${fmt(n)}`).join(', ')}`);
    log(`every circle cosigned once after ${allCosignedAt === null ? `more than ${fmt(seconds, 1)}` : fmt((allCosignedAt - tStart) / 1000, 1)} s (${fmt(CIRCLES)} circles at ${RATE}/s: at least ${fmt(CIRCLES / Number(RATE), 0)} s)`);
    log(`at the end: ${fmt(current)} of ${fmt(circles.length)} circles have their newest checkpoint cosigned`);
    log(`load average after: ${load()} (shared machine: figures are noisy)`);
  } finally {
    await stopAll(children);
    proxy?.close();
  }
}


// ---------------------------------------------------------------- receipts C → B → A

interface Peer {
  name: string;
  url: string;
  prefix: string;
  env: NodeJS.ProcessEnv;
}

const summary = (values: number[]) => {
  const s = values.filter(Number.isFinite).sort((x, y) => x - y);
  return { n: s.length, p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN };
};
const ms = (v: number) => fmt(v);

async function receiptLatency(run: Run): Promise<void> {
  const { dir, tag, admin } = run;
  const children: ChildProcess[] = [];
  const closers: Array<() => Promise<unknown>> = [];
  log();
  log(`## Receipts C → B → A — ${new Date().toISOString()}, load average ${load()}`);
  const peers: Peer[] = [];
  const urls = new Map<string, string>();
  for (const x of ['a', 'b', 'c']) {
    const name = `${x}.bench`;
    const db = `archipel_bench_${x}_${tag}`;
    const prefix = `bench${x}${tag}`;
    run.databases.push(db);
    run.prefixes.push(prefix);
    const keyFile = join(dir, `${name}.jwk`);
    writeFileSync(keyFile, JSON.stringify(StatementSigner.generate().exportPrivateJwk()), { mode: 0o600 });
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...COMMON_ENV,
      PORT: String(port),
      DATABASE_URL: await database(admin, db),
      QUEUE_PREFIX: prefix,
      INSTANCE_NAME: name,
      INSTANCE_KEY_STORE: keyFile,
      DATA_DIR: join(dir, `${name}.data`),
      CHECKPOINT_MIRROR_DIR: join(dir, `${name}.published`),
      MIN_PROPOSAL_WINDOW_SECONDS: '1',
    };
    peers.push({ name, url, prefix, env });
    urls.set(name, env.DATABASE_URL as string);
  }
  for (const p of peers) p.env.FEDERATION_PEERS = peers.filter((o) => o !== p).map((o) => `${o.name} ${o.url}`).join(';');
  const [a, b, c] = peers;
  try {
    for (const p of peers) {
      const api = startChild('main.js', p.env);
      children.push(api);
      await healthy(p.url, api);
      children.push(startChild('worker.js', p.env));
    }
    const pool = (p: Peer) => {
      const made = new Pool(p.url, { connections: 32 });
      closers.push(() => made.close());
      return made;
    };
    const [pa, pb, pc] = [pool(a), pool(b), pool(c)];
    const dataSource = async (p: Peer) => {
      const ds = await openDataSource({ url: urls.get(p.name) as string, poolSize: 1 });
      closers.push(() => ds.destroy());
      return ds;
    };
    const [dsA, dsB, dsC] = [await dataSource(a), await dataSource(b), await dataSource(c)];

    // ---- the federation (not timed)
    const alice = StatementSigner.generate();
    await postJws(pa, alice.sign('member.register', null, { name: 'alice' }));
    for (const p of [b, c]) {
      const res = await fetch(`${p.url}/api/v1/federation/members`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ member: alice.id, instance: a.name }),
      });
      if (res.status !== 200) throw new Error(`${p.name} did not take alice over from ${a.name}: ${res.status} ${await res.text()}`);
    }
    const create = async (on: Pool, name: string, parent?: string) =>
      (await postJws(on, alice.sign('circle.create', null, { name, regime: 'unanimity', ...(parent ? { parent } : {}) } as never))).id as string;
    const recorded = async (p: Peer, circle: string, child: string) => {
      for (const until = Date.now() + 30_000; Date.now() < until; await sleep(100)) {
        const state = (await (await fetch(`${p.url}/api/v1/circles/${circle}`)).json()) as { children?: string[] };
        if (state.children?.includes(child)) return;
      }
      throw new Error(`${p.name} did not record ${child} as a child of ${circle} within 30 s`);
    };
    const root = await create(pa, 'Root');
    const middle = await create(pb, 'Middle', `${a.name}/circles/${root}`);
    await recorded(a, root, `${b.name}/circles/${middle}`);
    const leaf = await create(pc, 'Leaf', `${b.name}/circles/${middle}`);
    const child = `${c.name}/circles/${leaf}`;
    await recorded(b, middle, child);
    log(`root on ${a.name} → child on ${b.name} → grandchild on ${c.name}; unanimity; alice (registered on ${a.name}) alone in each; one worker per instance`);

    const inA = async (ids: string[]) =>
      Number(((await dsA.query(`SELECT count(*)::int AS n FROM receipt WHERE ancestor = $1 AND child = $2 AND proposal = ANY($3::text[])`, [root, child, ids])) as Array<{ n: number }>)[0].n);

    /** `n` motions opened in C at once, each adopted by alice's yes, one closesAt; waits for their receipts in A. */
    // CPU seconds of each instance's two processes, and of every PostgreSQL process (shared with whatever else runs here).
    const cpu = () => ({ instances: peers.map((_, i) => procTicks(children[2 * i].pid as number) + procTicks(children[2 * i + 1].pid as number)), pg: postgresTicks() });
    const cpuSince = (before: ReturnType<typeof cpu>) => {
      const now = cpu();
      let pg = 0;
      for (const [pid, ticks] of now.pg) pg += Math.max(0, ticks - (before.pg.get(pid) ?? 0));
      return { instances: now.instances.map((t, i) => (t - before.instances[i]) / CLK_TCK), pg: pg / CLK_TCK };
    };
    type Round = { ids: string[]; closesAt: number; cpu: ReturnType<typeof cpuSince> };
    const round = async (n: number): Promise<Round> => {
      const closesAt = Date.now() + 3_000 + 30 * n;
      const at = formatTimestamp(closesAt);
      const opened = await postAll(pc, Array.from({ length: n }, (_, i) => alice.sign('proposal.open', leaf, { kind: 'motion', title: `Decision ${n}/${i}`, text: 'Bench.', closesAt: at } as never)), n);
      const ids = opened.map((o) => o.id as string);
      await postAll(pc, ids.map((proposal) => alice.sign('vote.cast', leaf, { proposal, choice: 'yes' })), n);
      if (Date.now() > closesAt - 100) log(`  warning: the votes of the round of ${n} finished ${Date.now() - closesAt} ms after closesAt - 100 ms`);
      await sleep(closesAt - Date.now());
      const before = cpu();
      for (const until = Date.now() + RECEIPTS_TIMEOUT_MS; Date.now() < until; await sleep(100)) {
        if (children.some((ch) => ch.exitCode !== null)) throw new Error('a child process exited');
        if ((await inA(ids)) >= n) return { ids, closesAt, cpu: cpuSince(before) };
      }
      log(`  warning: not every receipt of the round of ${n} reached ${a.name} within ${RECEIPTS_TIMEOUT_MS / 1000} s`);
      return { ids, closesAt, cpu: cpuSince(before) };
    };

    const { default: Redis } = await import('ioredis');
    const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    closers.push(() => redis.quit());
    const job = async (p: Peer, id: string) => {
      const h = await redis.hmget(`${p.prefix}:decision.propagate:${id}`, 'timestamp', 'processedOn', 'finishedOn', 'atm');
      return { added: Number(h[0] ?? NaN), picked: Number(h[1] ?? NaN), finished: Number(h[2] ?? NaN), attempts: Number(h[3] ?? NaN) };
    };
    type At = { proposal: string; seq: number; at: number };
    const atOf = (rows: At[]) => new Map(rows.map((r) => [r.proposal, { seq: Number(r.seq), at: Number(r.at) }]));
    const receiptsIn = async (ds: typeof dsA, ancestor: string, ids: string[]) =>
      atOf(
        (await ds.query(
          `SELECT r.proposal, r.seq::int AS seq, (extract(epoch FROM e.recorded_at) * 1000)::float8 AS at
             FROM receipt r JOIN log_entry e ON e.circle = r.ancestor AND e.seq = r.seq
            WHERE r.ancestor = $1 AND r.child = $2 AND r.proposal = ANY($3::text[])`,
          [ancestor, child, ids],
        )) as At[],
      );

    const report = async (label: string, { ids, closesAt, cpu: used }: Round) => {
      const tallies = atOf(
        (await dsC.query(
          `SELECT p.id AS proposal, p.closed_seq::int AS seq, (extract(epoch FROM e.recorded_at) * 1000)::float8 AS at
             FROM proposal p JOIN log_entry e ON e.circle = p.circle AND e.seq = p.closed_seq
            WHERE p.id = ANY($1::text[])`,
          [ids],
        )) as At[],
      );
      const [inB, inRoot] = [await receiptsIn(dsB, middle, ids), await receiptsIn(dsA, root, ids)];
      const rows: Array<Record<string, number>> = [];
      for (const id of ids) {
        const t = tallies.get(id);
        if (!t) continue;
        const rb = inB.get(id);
        const ra = inRoot.get(id);
        const jc = await job(c, `receipt-${leaf}-${t.seq}-${b.name}/circles/${middle}`);
        const jb = rb ? await job(b, `receipt-${middle}-${rb.seq}-${a.name}/circles/${root}`) : null;
        rows.push({
          close: t.at - closesAt,
          toB: (rb?.at ?? NaN) - t.at,
          toA: (ra?.at ?? NaN) - t.at,
          closeToA: (ra?.at ?? NaN) - closesAt,
          cAdded: jc.added - t.at,
          cWait: jc.picked - jc.added,
          cSend: (rb?.at ?? NaN) - jc.picked,
          cAck: jc.finished - (rb?.at ?? NaN),
          cRetried: jc.attempts > 1 ? 1 : 0,
          bAdded: (jb?.added ?? NaN) - (rb?.at ?? NaN),
          bWait: (jb?.picked ?? NaN) - (jb?.added ?? NaN),
          bSend: (ra?.at ?? NaN) - (jb?.picked ?? NaN),
          bAck: (jb?.finished ?? NaN) - (ra?.at ?? NaN),
          bRetried: (jb?.attempts ?? 0) > 1 ? 1 : 0,
        });
      }
      const col = (k: string) => rows.map((r) => r[k]);
      const [toB, toA] = [summary(col('toB')), summary(col('toA'))];
      log();
      log(`### ${label}: ${ids.length} decision(s) in flight, ${tallies.size} tallied in ${c.name}, ${toB.n} arrived in ${b.name}, ${toA.n} in ${a.name}`);
      log('| hop | arrived | median ms | p90 ms | p99 ms | max ms |');
      log('| --- | ---: | ---: | ---: | ---: | ---: |');
      log(`| C tally.result → B child.decision | ${toB.n} of ${ids.length} | ${ms(toB.p50)} | ${ms(toB.p90)} | ${ms(toB.p99)} | ${ms(toB.max)} |`);
      log(`| C tally.result → A child.decision | ${toA.n} of ${ids.length} | **${ms(toA.p50)}** | ${ms(toA.p90)} | ${ms(toA.p99)} | ${ms(toA.max)} |`);
      const closeToA = summary(col('closeToA'));
      log(`| closesAt → A child.decision (the close in C included) | ${closeToA.n} of ${ids.length} | ${ms(closeToA.p50)} | ${ms(closeToA.p90)} | ${ms(closeToA.p99)} | ${ms(closeToA.max)} |`);
      const med = (k: string) => ms(summary(col(k)).p50);
      log();
      log(`where the time goes, median ms (closesAt → C tally.result: ${med('close')}):`);
      log('| hop | entry → job added (outbox) | added → picked (wait for a worker) | picked → receipt recorded by the peer | receipt → job finished (answer) | jobs retried |');
      log('| --- | ---: | ---: | ---: | ---: | ---: |');
      log(`| C → B | ${med('cAdded')} | ${med('cWait')} | ${med('cSend')} | ${med('cAck')} | ${col('cRetried').reduce((x, y) => x + y, 0)} |`);
      log(`| B → A | ${med('bAdded')} | ${med('bWait')} | ${med('bSend')} | ${med('bAck')} | ${col('bRetried').reduce((x, y) => x + y, 0)} |`);
      const total = used.instances.reduce((x, y) => x + y, 0);
      log(
        `CPU from closesAt to the last receipt in ${a.name}: ${peers.map((p, i) => `${p.name} ${fmt(used.instances[i], 2)} s`).join(', ')} (API and worker), ` +
          `${fmt((total * 1000) / ids.length, 1)} ms per decision; PostgreSQL ${fmt(used.pg, 2)} s (every process on the machine's server)`,
      );
      return toA;
    };

    // One decision alone first (the cost of a hop without queueing), then the wave.
    await report('alone', await round(1));
    const wave = await round(DECISIONS);
    const toA = await report('the wave', wave);
    const [{ n: entries }] = (await dsA.query(`SELECT count(*)::int AS n FROM log_entry WHERE circle = $1 AND type = 'child.decision'`, [root])) as Array<{ n: number }>;
    log();
    log(`exactly once: ${a.name}'s root holds ${fmt(entries)} child.decision entries for ${fmt(DECISIONS + 1)} decisions`);
    log(
      `goal: median C → A < ${fmt(GOAL_MEDIAN_MS)} ms with ${fmt(DECISIONS)} in flight — measured ${ms(toA.p50)} ms: ${toA.n === DECISIONS && toA.p50 < GOAL_MEDIAN_MS ? 'met' : 'NOT met'}`,
    );
    log(`load average after: ${load()} (shared machine: figures are noisy)`);
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await stopAll(children);
  }
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  for (const p of PARTS) if (p !== 'witness' && p !== 'receipts') throw new Error(`BENCH_PARTS: unknown part "${p}" (witness, receipts)`);
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const run: Run = { dir: mkdtempSync(join(tmpdir(), 'archipel-bench-federation-')), tag: randomBytes(4).toString('hex'), admin, databases: [], prefixes: [] };
  try {
    log(`# Archipel federation benchmark — ${new Date().toISOString()}`);
    log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}; node ${process.version}; load average ${load()}; parts: ${[...PARTS].join(', ')}`);
    if (PARTS.has('witness')) await witnessLoad(run);
    if (PARTS.has('receipts')) await receiptLatency(run);
  } finally {
    if (process.env.BENCH_KEEP === '1') log(`kept databases ${run.databases.join(', ')} and queue prefixes ${run.prefixes.join(', ')}`);
    else {
      for (const n of run.databases) await admin.query(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`).catch(() => undefined);
      for (const p of run.prefixes) await cleanRedis(p).catch(() => undefined);
    }
    await admin.end();
    rmSync(run.dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`bench:federation failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
