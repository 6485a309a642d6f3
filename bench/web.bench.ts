/// <reference lib="dom" />
// `npm run bench:web` — the members' web app (src/web, built into dist/web and served by the
// service) in headless Chromium (Debian's /usr/bin/chromium via playwright-core), against the real
// service on this machine (issue #11, "Performance").
//
// Creates its own database on the machine's PostgreSQL (admin URL BENCH_DATABASE_URL, default
// postgres://postgres@127.0.0.1:5432/test), starts `node dist/main.js`, and seeds through the API
// with pre-signed statements (not timed):
//   (a) a circle of BENCH_WEB_MEMBERS (10,000) members with one open motion: 30 % vote (yes, no,
//       abstain), 30 % delegate for the circle to a voter, 10 % to a delegator (chains of two),
//       2 % in delegation cycles of two (lost weight), the rest absent;
//   (b) a circle whose log holds BENCH_WEB_LOG_ENTRIES (100,000) entries: 100 members and, to fill
//       it, invitations of outsiders (valid over and over), as bench:ingest does.
// Then, in Chromium, as one of the members (her key imported non-extractable into the page's
// IndexedDB, as the app keeps it):
//   (a) BENCH_WEB_RUNS (7) times, a fresh tab navigating to the proposal page: the time from the
//       navigation's start until the page shows the tally (its summary and chart canvas) and the
//       delegation summary (performance.now() in the page, recorded by a MutationObserver); the
//       first run has a cold HTTP cache. Also when the delegation graph is drawn, and the longest
//       main-thread task (PerformanceObserver 'longtask') until then. Goal: < 1 s.
//   (b) the audit view of the big circle: "Verify now" until the verdict; total time, entries/s,
//       progress updates seen and the longest gap between them, and the longest main-thread task
//       (goal: none over 200 ms: the page never freezes).
// Drops the database at the end unless BENCH_KEEP=1.
import '../src/platform/node';
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { Client } from 'pg';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { Pool } from 'undici';
import { formatTimestamp } from '../src/core/formats/canonical-json';
import { StatementSigner } from '../src/core/formats/statement-signer';
import { openDataSource, runMigrations } from '../src/database/data-source';
import { cleanRedis, envInt, fmt, load, log, postAll, startApi, stopChild, type RunningApi } from './bench-support';

const GOAL_PAGE_MS = 1_000;
const GOAL_LONGEST_TASK_MS = 200;

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const MEMBERS = envInt('BENCH_WEB_MEMBERS', 10_000);
const LOG_ENTRIES = envInt('BENCH_WEB_LOG_ENTRIES', 100_000);
const RUNS = envInt('BENCH_WEB_RUNS', 7);
const AUDIT_MEMBERS = Math.min(100, MEMBERS);
const OUTSIDERS = 16;
const CONCURRENCY = 64;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const goal = (ok: boolean) => (ok ? 'met' : 'NOT met');

// ---------------------------------------------------------------- seeding through the API

interface Seeded {
  viewer: StatementSigner;
  proposal: string;
  bigCircle: string;
  auditCircle: string;
  logSize: number;
  delegations: number;
  votes: number;
}

async function seed(api: RunningApi): Promise<Seeded> {
  const pool = new Pool(api.base, { connections: CONCURRENCY, pipelining: 1 });
  const step = async (what: string, jwss: string[]) => {
    const t = performance.now();
    const out = await postAll(pool, jwss, CONCURRENCY);
    log(`  ${what}: ${fmt(jwss.length)} statements in ${fmt((performance.now() - t) / 1000, 1)} s`);
    return out;
  };
  try {
    const members = Array.from({ length: MEMBERS }, () => StatementSigner.generate());
    const [creator] = members;
    await step('registrations', members.map((m, i) => m.sign('member.register', null, { name: `Member ${i}` })));

    // (a) the big circle, its motion, votes and delegations.
    const [big] = await step('the big circle', [creator.sign('circle.create', null, { name: `${fmt(MEMBERS)} members`, regime: 'unanimity' })]);
    const bigCircle = big.id as string;
    await step('invitations', members.slice(1).map((m) => creator.sign('member.invite', bigCircle, { member: m.id })));
    await step('acceptances', members.slice(1).map((m) => m.sign('member.accept', bigCircle, {})));
    const closesAt = formatTimestamp(Date.now() + 6 * 3600_000);
    const [opened] = await step('the motion', [creator.sign('proposal.open', bigCircle, { kind: 'motion', title: 'A budget for the year', text: 'We adopt the budget as proposed by the treasurers.', closesAt })]);
    const proposal = opened.id as string;
    const voters = Math.floor(0.3 * MEMBERS);
    const toVoters = Math.floor(0.6 * MEMBERS);
    const chains = Math.floor(0.7 * MEMBERS);
    const cycles = Math.floor(0.72 * MEMBERS);
    const delegations: string[] = [];
    for (let i = voters; i < toVoters; i++) delegations.push(members[i].sign('delegation.set', bigCircle, { to: members[i - voters].id, scope: { circle: true } }));
    for (let i = toVoters; i < chains; i++) delegations.push(members[i].sign('delegation.set', bigCircle, { to: members[i - voters].id, scope: { circle: true } }));
    for (let i = chains; i + 1 < cycles; i += 2) {
      delegations.push(members[i].sign('delegation.set', bigCircle, { to: members[i + 1].id, scope: { circle: true } }));
      delegations.push(members[i + 1].sign('delegation.set', bigCircle, { to: members[i].id, scope: { circle: true } }));
    }
    await step('delegations', delegations);
    const choices = ['yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'no', 'no', 'no', 'abstain'] as const;
    await step('votes', members.slice(0, voters).map((m, i) => m.sign('vote.cast', bigCircle, { proposal, choice: choices[i % choices.length] })));

    // (b) the circle with a long log.
    const [audit] = await step('the audited circle', [creator.sign('circle.create', null, { name: 'A long log', regime: 'amendment' })]);
    const auditCircle = audit.id as string;
    const insiders = members.slice(0, AUDIT_MEMBERS);
    const outsiders = members.slice(MEMBERS - OUTSIDERS);
    await step('its invitations', insiders.slice(1).map((m) => creator.sign('member.invite', auditCircle, { member: m.id })));
    await step('its acceptances', insiders.slice(1).map((m) => m.sign('member.accept', auditCircle, {})));
    let size = 1 + 2 * (insiders.length - 1);
    const fillStarted = performance.now();
    while (size < LOG_ENTRIES) {
      // Signed just before posting, in chunks: `at` stays inside the server's clock-skew window.
      const n = Math.min(10_000, LOG_ENTRIES - size);
      const chunk = Array.from({ length: n }, (_, i) => insiders[(size + i) % insiders.length].sign('member.invite', auditCircle, { member: outsiders[(size + i) % OUTSIDERS].id }));
      await postAll(pool, chunk, CONCURRENCY);
      size += n;
    }
    log(`  filling the audited log to ${fmt(size)} entries: ${fmt((performance.now() - fillStarted) / 1000, 1)} s`);
    return { viewer: creator, proposal, bigCircle, auditCircle, logSize: size, delegations: delegations.length, votes: voters };
  } finally {
    await pool.close();
  }
}

// ---------------------------------------------------------------- the browser

/** Her key imported NON-EXTRACTABLE into the page's IndexedDB, where the app keeps it (src/web/lib/identity.ts). */
async function signIn(context: BrowserContext, base: string, who: StatementSigner, name: string): Promise<void> {
  const page = await context.newPage();
  await page.goto(base);
  await page.evaluate(
    async ({ jwk, id, name }) => {
      const privateKey = await crypto.subtle.importKey('jwk', jwk, { name: 'Ed25519' }, false, ['sign']);
      const db: IDBDatabase = await new Promise((resolve, reject) => {
        const r = indexedDB.open('archipel');
        r.onupgradeneeded = () => r.result.createObjectStore('identity');
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      await new Promise((resolve, reject) => {
        const tx = db.transaction('identity', 'readwrite');
        tx.objectStore('identity').put({ id, name, publicJwk: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, privateKey, createdAt: new Date().toISOString() }, 'me');
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
      });
      db.close();
    },
    { jwk: who.exportPrivateJwk(), id: who.id, name },
  );
  await page.close();
}

/** Before any script of the page: long tasks, and the moments the watched selectors first appear. */
async function watch(page: Page, marks: Record<string, string>): Promise<void> {
  await page.addInitScript((marks: Record<string, string>) => {
    const w = window as unknown as { __long: number[]; __marks: Record<string, number> };
    w.__long = [];
    w.__marks = {};
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__long.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
    const check = () => {
      for (const [name, selector] of Object.entries(marks)) if (!(name in w.__marks) && document.querySelector(selector)) w.__marks[name] = performance.now();
    };
    new MutationObserver(check).observe(document, { childList: true, subtree: true, characterData: true });
  }, marks);
}

interface PageRun {
  shown: number;
  tally: number;
  summary: number;
  graph: number | null;
  longest: number;
}

async function proposalPage(context: BrowserContext, url: string): Promise<PageRun> {
  const page = await context.newPage();
  await watch(page, {
    tally: '[data-testid=tally-summary]',
    chart: 'figure.tally canvas',
    summary: 'figure.graph figcaption',
    graph: '.graph-box canvas',
  });
  await page.goto(url);
  await page.waitForFunction(() => {
    const m = (window as unknown as { __marks: Record<string, number> }).__marks;
    return 'tally' in m && 'chart' in m && 'summary' in m;
  }, undefined, { timeout: 60_000 });
  // The graph is drawn after: give it its time, then read everything.
  await page.waitForFunction(() => 'graph' in (window as unknown as { __marks: Record<string, number> }).__marks, undefined, { timeout: 60_000 }).catch(() => undefined);
  await page.waitForTimeout(300);
  const r = await page.evaluate(() => {
    const w = window as unknown as { __long: number[]; __marks: Record<string, number> };
    return { marks: w.__marks, longest: Math.max(0, ...w.__long) };
  });
  await page.close();
  const tally = Math.max(r.marks.tally, r.marks.chart);
  return { shown: Math.max(tally, r.marks.summary), tally, summary: r.marks.summary, graph: r.marks.graph ?? null, longest: r.longest };
}

interface AuditRun {
  ms: number;
  verdict: string;
  longest: number;
  over50: number;
  over200: number;
  progressUpdates: number;
  longestGap: number;
}

async function auditPage(context: BrowserContext, url: string): Promise<AuditRun> {
  const page = await context.newPage();
  await watch(page, {});
  await page.goto(url);
  await page.getByRole('button', { name: 'Verify now' }).waitFor();
  await page.evaluate(() => {
    const w = window as unknown as { __long: number[]; __progress: number[]; __start: number };
    w.__long.length = 0;
    w.__progress = [];
    new MutationObserver(() => w.__progress.push(performance.now())).observe(document.getElementById('main')!, { childList: true, subtree: true, characterData: true });
    w.__start = performance.now();
    (Array.from(document.querySelectorAll('button')).find((b) => b.textContent === 'Verify now') as HTMLButtonElement).click();
  });
  const verdict = page.getByTestId('audit-verdict');
  await verdict.waitFor({ timeout: 30 * 60_000 });
  const r = await page.evaluate(() => {
    const w = window as unknown as { __long: number[]; __progress: number[]; __start: number };
    const end = performance.now();
    const times = [w.__start, ...w.__progress.filter((t) => t <= end)];
    let gap = 0;
    for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i] - times[i - 1]);
    return { ms: end - w.__start, longTasks: w.__long, progressUpdates: w.__progress.length, longestGap: gap };
  });
  const text = (await verdict.textContent()) ?? '';
  await page.close();
  return {
    ms: r.ms,
    verdict: text.trim(),
    longest: Math.max(0, ...r.longTasks),
    over50: r.longTasks.length,
    over200: r.longTasks.filter((d) => d > 200).length,
    progressUpdates: r.progressUpdates,
    longestGap: r.longestGap,
  };
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const started = performance.now();
  const dbName = `archipel_bench_web_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const dbUrl = Object.assign(new URL(ADMIN_URL), { pathname: `/${dbName}` }).toString();
  const queuePrefix = `benchweb${randomBytes(4).toString('hex')}`;
  let api: RunningApi | undefined;
  let browser: Browser | undefined;
  try {
    log(`# Archipel web app benchmark — ${new Date().toISOString()}`);
    log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}; node ${process.version}; Chromium ${CHROMIUM}; load average ${load()}`);
    log(`database ${dbName}; ${fmt(MEMBERS)} members; a log of ${fmt(LOG_ENTRIES)} entries; ${RUNS} runs of the proposal page`);
    const ds = await openDataSource({ url: dbUrl, poolSize: 2 });
    await runMigrations(ds);
    await ds.destroy();
    api = await startApi({ dbUrl, redisUrl: REDIS_URL, queuePrefix, env: { DATABASE_POOL_SIZE: '16' } });
    log(`API: node dist/main.js, ${api.base}`);

    log('seeding through the API (not timed):');
    const s = await seed(api);
    log(`  ${fmt(s.votes)} votes and ${fmt(s.delegations)} delegations in the ${fmt(MEMBERS)}-member circle; ${fmt(s.logSize)} entries in the audited circle`);

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    log(`Chromium ${browser.version()}, headless`);
    const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1000, height: 900 } });
    await signIn(context, api.base, s.viewer, 'Member 0');

    // (a) the proposal page
    log();
    log(`(a) the proposal page of a ${fmt(MEMBERS)}-member circle: navigation → tally and delegation summary shown`);
    const runs: PageRun[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await proposalPage(context, `${api.base}/proposals/${s.proposal}`);
      runs.push(r);
      log(
        `  run ${i + 1}${i === 0 ? ' (cold cache)' : ''}: shown at ${fmt(r.shown)} ms (tally ${fmt(r.tally)} ms, delegation summary ${fmt(r.summary)} ms); graph drawn at ${r.graph === null ? '—' : `${fmt(r.graph)} ms`}; longest task ${fmt(r.longest)} ms`,
      );
    }
    const shown = runs.map((r) => r.shown);
    const pageMedian = median(shown);
    const pageMax = Math.max(...shown);
    const graphs = runs.map((r) => r.graph).filter((g): g is number => g !== null);
    log(`  median ${fmt(pageMedian)} ms, max ${fmt(pageMax)} ms (goal < ${fmt(GOAL_PAGE_MS)} ms: ${goal(pageMax < GOAL_PAGE_MS)} for every run, ${goal(pageMedian < GOAL_PAGE_MS)} at the median)`);
    if (graphs.length) log(`  delegation graph drawn: median ${fmt(median(graphs))} ms; longest task median ${fmt(median(runs.map((r) => r.longest)))} ms`);

    // (b) the audit view
    log();
    log(`(b) the audit view of a ${fmt(s.logSize)}-entry log (and the ${fmt(MEMBERS)}-entry registry), verified in the page`);
    const a = await auditPage(context, `${api.base}/circles/${s.auditCircle}/audit`);
    const rate = (s.logSize + MEMBERS) / (a.ms / 1000);
    log(`  verdict: ${a.verdict}`);
    log(`  total ${fmt(a.ms / 1000, 1)} s: ${fmt(rate)} entries/s (log and registry), ${fmt(s.logSize / (a.ms / 1000))} log entries/s`);
    log(`  progress: ${fmt(a.progressUpdates)} updates of the page, longest gap between two ${fmt(a.longestGap)} ms`);
    log(`  main thread: longest task ${fmt(a.longest)} ms (goal ≤ ${GOAL_LONGEST_TASK_MS} ms: ${goal(a.longest <= GOAL_LONGEST_TASK_MS)}); ${a.over50} tasks over 50 ms, ${a.over200} over 200 ms`);
    const verified = a.verdict.startsWith('✔');

    log();
    log('| benchmark | goal | measured | |');
    log('| --- | --- | --- | --- |');
    log(`| web, ${fmt(MEMBERS)}-member proposal page | < ${fmt(GOAL_PAGE_MS)} ms | median ${fmt(pageMedian)} ms, max ${fmt(pageMax)} ms over ${RUNS} runs (first cold) | ${goal(pageMax < GOAL_PAGE_MS)} |`);
    log(`| web, audit of a ${fmt(s.logSize)}-entry log | progress shown, no task > ${GOAL_LONGEST_TASK_MS} ms | ${fmt(a.ms / 1000, 1)} s, ${fmt(s.logSize / (a.ms / 1000))} entries/s; longest task ${fmt(a.longest)} ms; ${fmt(a.progressUpdates)} progress updates | ${goal(a.longest <= GOAL_LONGEST_TASK_MS && verified)} |`);
    log(`total ${fmt((performance.now() - started) / 1000, 1)} s; load average ${load()}`);
    if (!verified) {
      log('the audit did not verify: FAILED');
      process.exitCode = 1;
    }
  } finally {
    await browser?.close().catch(() => undefined);
    if (api) await stopChild(api.child);
    await cleanRedis(REDIS_URL, queuePrefix).catch(() => undefined);
    if (process.env.BENCH_KEEP === '1') log(`kept database ${dbName}`);
    else await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((e) => {
  process.stderr.write(`bench:web failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
