// `npm run bench:federation` — witnessing load (SPEC §12.1): how many add-checkpoint requests per
// second one witness receives from an instance with BENCH_CIRCLES (1,000) active circles, and how
// far behind the cosigned checkpoints run.
//
// Starts two instances as child processes (each its own database on the machine's PostgreSQL,
// admin URL BENCH_DATABASE_URL, and its own queue prefix): the log instance L (`dist/main.js` and
// one `dist/worker.js`) and the witness instance W (`dist/main.js`; a witness needs no worker).
// L's policy names W through a counting HTTP proxy started here, which timestamps every
// add-checkpoint request. The circles are created (not timed), then for BENCH_SECONDS (60) a
// loader appends BENCH_APPEND_RATE (100) statements per second (member.invite) to random circles,
// so every circle keeps getting new checkpoints. Reported: requests per second at the witness (mean
// and the busiest second) against the configured budget (WITNESS_REQUESTS_PER_SECOND, default 10
// here), the answers' statuses, how long until every circle had a cosigned checkpoint at the start,
// and at the end how many circles' newest checkpoint is cosigned.
//
// The other half of the issue's benchmark — a decision's receipt crossing three instances — needs
// circles nested across instances (SPEC §12.2), which are not built yet; this benchmark says so.
//
// Environment: BENCH_DATABASE_URL, REDIS_URL, BENCH_CIRCLES, BENCH_SECONDS, BENCH_APPEND_RATE,
// WITNESS_REQUESTS_PER_SECOND (10), WITNESS_INTERVAL_SECONDS (5), BENCH_KEEP=1.
import '../src/platform/node';
import { spawn, ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519';
import { Client } from 'pg';
import { Pool } from 'undici';
import { openDataSource, runMigrations } from '../src/database/data-source';
import { formatWitnessKey } from '../src/core/formats/cosignature';
import { formatVerifierKey } from '../src/core/formats/signed-note';
import { StatementSigner } from '../src/core/formats/statement-signer';
import { DIST, envInt, fmt, freePort, load, log, sleep } from './bench-support';

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CIRCLES = envInt('BENCH_CIRCLES', 1000);
const SECONDS = envInt('BENCH_SECONDS', 60);
const APPEND_RATE = envInt('BENCH_APPEND_RATE', 100);
const RATE = process.env.WITNESS_REQUESTS_PER_SECOND ?? '10';
const INTERVAL = process.env.WITNESS_INTERVAL_SECONDS ?? '5';

async function postJws(pool: Pool, jws: string): Promise<Record<string, unknown>> {
  const res = await pool.request({ path: '/api/v1/statements', method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jws }) });
  const text = await res.body.text();
  if (res.statusCode !== 201) throw new Error(`statement refused: ${res.statusCode} ${text.slice(0, 300)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

async function database(admin: Client, name: string): Promise<string> {
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const ds = await openDataSource({ url: url.toString(), poolSize: 1 });
  await runMigrations(ds);
  await ds.destroy();
  return url.toString();
}

function startChild(script: string, env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [join(DIST, script)], { env, stdio: ['ignore', 'inherit', 'inherit'] });
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(8_000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

async function healthy(base: string, child: ChildProcess): Promise<void> {
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

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'archipel-bench-federation-'));
  const tag = randomBytes(4).toString('hex');
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const children: ChildProcess[] = [];
  const names = [`archipel_bench_l_${tag}`, `archipel_bench_w_${tag}`];
  const requests: number[] = [];
  const statuses = new Map<number, number>();
  let proxy: ReturnType<typeof createServer> | undefined;
  try {
    log(`# Archipel federation benchmark (witnessing) — ${new Date().toISOString()}`);
    log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}; node ${process.version}; load average ${load()}`);
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

    const common = { ...process.env, NODE_ENV: 'production', HOST: '127.0.0.1', REDIS_URL, LOG_LEVEL: 'warn', RUN_MIGRATIONS: 'false', CHECKPOINT_INTERVAL_SECONDS: '1' };
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
    log();
    log('receipt latency across three instances (C → B → A): not measured — circles across instances (SPEC §12.2) are not built yet');
    log(`load average after: ${load()} (shared machine: figures are noisy)`);
  } finally {
    for (const c of children.reverse()) await stopChild(c);
    proxy?.close();
    if (process.env.BENCH_KEEP !== '1') {
      for (const n of names) await admin.query(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`).catch(() => undefined);
    }
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
