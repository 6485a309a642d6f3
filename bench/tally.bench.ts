// `npm run bench:tally` — tallying one proposal of a huge circle (SPEC §5.1, §5.2).
//
// Creates its own database archipel_bench_tally_<random> on the machine's PostgreSQL (admin URL
// BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test), migrates it and generates,
// with set-based SQL only (generate_series), a circle of BENCH_MEMBERS (default 1,000,000) eligible
// members plus non-eligible ones (joined after the opening, left before it), one proposal with a
// topic, and at close:
//   40 %  direct votes (yes 50 %, no 30 %, abstain 20 %), plus noise: votes recorded after close,
//         retracted votes, votes of non-eligible members;
//   10 %  delegating to 5 popular delegates (circle scope; a quarter overridden by a topic one);
//   15 %  in delegation chains with mixed scopes (circle / topic / proposal): one 100,000 deep
//         (bounded by the range), the rest 2,000 deep, one in five of those ending at an absent
//         member (lost);
//    5 %  in cycles of 10, and chains of 100 that run into them (lost);
//   30 %  absent, with noise delegations that are not in force (ended before close, set after
//         close, another proposal, another topic, a non-eligible delegate) and a few that are.
// Then measures, in this process:
//   load     loadTallyArrays (src/proposals/tally-loader.ts): one statement of plain string_agg
//            scans of the members' numbers in the circle, parsed into typed arrays
//   resolve  countArrays: resolveDelegations + totals + outcome
//   ids      withIdsOfCycles: the ids of the members in cycles, read by number
// BENCH_ROUNDS times (default 3) as before the opening's snapshot job has run (the memberships
// scanned), then the job itself (snapshotPopulation, timed), then BENCH_ROUNDS times with the
// snapshot it kept (the server's path for a circle this size), which must give the same body;
// peak RSS, and, as baselines:
//   - the server's Map-based path (ProposalsRepository.tallyInputs + tallyProposal), which must give
//     the same body;
//   - the resolution inside PostgreSQL, LiquidFeedback style: effective delegations materialized
//     in SQL, then WITH RECURSIVE from each direct voter back along delegations (each voter's
//     weight = 1 + the delegators reached), capped by statement_timeout BENCH_SQL_TIMEOUT_S (120);
//     its Y/N/A must equal ours;
//   - the same in the other direction, as literally "from each non-voter forward to a voter"
//     (depth limit = circle size), capped by BENCH_SQL_FORWARD_TIMEOUT_S (120; 0 skips it).
// Drops the database at the end unless BENCH_KEEP=1.
//
// BENCH_SERIES=1 (or a list of sizes): the loader end to end at each size, 1,000 to 1,000,000.
// LF_CORE_SQL=/path/to/core.sql: LiquidFeedback side by side at BENCH_LF_SIZES (5,000, 10,000,
// 20,000): see bench/liquidfeedback.ts and liquidFeedbackSideBySide below.
import '../src/platform/node';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { openDataSource, runMigrations } from '../src/database/data-source';
import { resolveDelegations } from '../src/core/governance/resolve';
import { DEFAULT_PARAMS } from '../src/core/governance/params';
import { countArrays, tallyProposal, type TallyResultBody } from '../src/core/governance/tally';
import { ProposalsRepository, type ProposalRow } from '../src/proposals/proposals.repository';
import { LOAD_SQL, loadTallyArrays, sideConnectionOf, snapshotPopulation, withIdsOfCycles } from '../src/proposals/tally-loader';
import { choicesFor } from '../src/core/governance/tally';
import { delegationGraph } from '../src/core/governance/graph';
import { closeVotingLiquidFeedback, installLiquidFeedback, loadIntoLiquidFeedback, readGraphAtClose } from './liquidfeedback';

const GOAL_TOTAL_MS = 500; // issue #15 (was 1,500)
const GOAL_RESOLVE_MS = 150;
const GOAL_RSS_MB = 150; // issue #15 (was 200)
const GOAL_SQL_RATIO = 3; // "several times faster than SQL"

function envInt(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}`);
  return n;
}

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const N = envInt('BENCH_MEMBERS', 1_000_000, 1_000);
const ROUNDS = envInt('BENCH_ROUNDS', 3);
const SQL_TIMEOUT_S = envInt('BENCH_SQL_TIMEOUT_S', 120);
const SQL_FORWARD_TIMEOUT_S = envInt('BENCH_SQL_FORWARD_TIMEOUT_S', 120, 0);

const CIRCLE = 'bench-circle';
const PROPOSAL = 'bench-proposal';
const TOPIC = 'budget';
const CLOSES_AT = Date.parse('2026-06-01T12:00:00.000Z');

const log = (line = '') => process.stdout.write(`${line}\n`);
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const mb = (bytes: number) => bytes / 1024 / 1024;
const goal = (ok: boolean) => (ok ? 'met' : 'NOT met');

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await f();
  return [r, performance.now() - t];
}

// ---------------------------------------------------------------- data, set-based

/** Index layout of the eligible members 0..N-1 (member ids are hashes, so id order is random). */
function layout(n: number, maxChain = Infinity) {
  const V = Math.floor(0.4 * n); // direct voters [0, V)
  const P = Math.floor(0.5 * n); // popular followers [V, P)
  const C = Math.floor(0.65 * n); // chains [P, C)
  const Y = Math.floor(0.7 * n); // cycles and tails [Y0 = C, Y)
  const bigChain = Math.min(100_000, C - P, maxChain);
  const chain = Math.min(2_000, maxChain); // the other chains
  const extra = Math.max(10, Math.floor(n / 200)); // joined after, and left before
  return { V, P, C, Y, bigChain, chain, extra, cycleHalf: C + Math.floor((Y - C) / 2) };
}

async function generate(ds: DataSource, n: number = N, maxChain = Infinity): Promise<{ openedSeq: number; sizes: Record<string, number> }> {
  const N = n;
  const L = layout(N, maxChain);
  const openedSeq = N + 10;
  const q = (sql: string, params: unknown[] = []) => ds.query(sql, params);
  const close = new Date(CLOSES_AT).toISOString();
  const before = new Date(CLOSES_AT - 86_400_000).toISOString();
  const longBefore = new Date(CLOSES_AT - 30 * 86_400_000).toISOString();
  const after = new Date(CLOSES_AT + 60_000).toISOString();

  // Member id of index i: a 43-character base64url string like a JWK thumbprint (SPEC §3.2).
  await q(`CREATE FUNCTION bid(i bigint) RETURNS text IMMUTABLE PARALLEL SAFE LANGUAGE sql AS
           $$ SELECT translate(rtrim(encode(sha256(convert_to('archipel-bench-' || i, 'UTF8')), 'base64'), '='), '+/', '-_') $$`);
  const total = N + 2 * L.extra;
  await q(`INSERT INTO member (id, name, jwk, registry_seq)
           SELECT bid(i), 'm' || i, '{"kty":"OKP","crv":"Ed25519"}'::jsonb, i FROM generate_series(0, $1 - 1) i`, [total]);
  await q(`INSERT INTO circle (id, name, regime, params, genesis_leaf) VALUES ($1, 'bench', 'amendment', '{}', '\\x00')`, [CIRCLE]);
  // Eligible: joined before the opening; every 50th left after it (still eligible).
  // [N, N+extra): joined after the opening. [N+extra, N+2·extra): left before it, scattered
  // among the eligible in the order of joining (so in their numbers, which follow it): one every
  // N/extra members, as departures over a circle's life leave gaps (the snapshot's runs).
  await q(
    `INSERT INTO circle_membership (circle, member, joined_seq, left_seq)
     SELECT $1, bid(i),
            CASE WHEN i < $2 THEN i + 1 WHEN i < $2 + $3 THEN $4 + 1 + i ELSE 1 END,
            CASE WHEN i < $2 THEN (CASE WHEN i % 50 = 49 THEN $4 + 5 END) WHEN i < $2 + $3 THEN NULL ELSE $4 - 1 END
       FROM generate_series(0, $2 + 2 * $3 - 1) i
      ORDER BY CASE WHEN i >= $2 + $3 THEN (i - $2 - $3) * ($2::float8 / $3) + 0.5 ELSE i END`,
    [CIRCLE, N, L.extra, openedSeq],
  );
  await q(
    `INSERT INTO proposal (id, circle, opened_seq, opened_at, opened_by, kind, title, text, topic, regime, params, closes_at, body)
     VALUES ($1, $2, $3, $4, $5, 'motion', 'bench', 'bench', $6, 'amendment', $7, $8, '{}')`,
    [PROPOSAL, CIRCLE, openedSeq, longBefore, 'bench', TOPIC, JSON.stringify(DEFAULT_PARAMS), close],
  );

  // Votes: direct voters, then noise in the absent range and from non-eligible members.
  await q(
    `INSERT INTO vote (proposal, member, choice, seq, recorded_at)
     SELECT $1, bid(i), CASE WHEN i % 10 < 5 THEN 'yes' WHEN i % 10 < 8 THEN 'no' ELSE 'abstain' END, openedSeq + i, $3::timestamptz
       FROM generate_series(0, $2 - 1) i, (SELECT $4::bigint AS openedSeq) s`,
    [PROPOSAL, L.V, before, openedSeq],
  );
  await q(
    `INSERT INTO vote (proposal, member, choice, seq, recorded_at)
     SELECT $1, bid(i), CASE WHEN i % 100 = 0 THEN 'yes' ELSE NULL END, $5 + i,
            CASE WHEN i % 100 = 0 THEN $4::timestamptz ELSE $3::timestamptz END
       FROM generate_series($2, $6 - 1) i WHERE i % 100 IN (0, 1)
     UNION ALL
     SELECT $1, bid(i), 'no', $5 + i, $3::timestamptz FROM generate_series($6, $6 + $7 - 1) i`,
    [PROPOSAL, L.Y, before, close, openedSeq, N, L.extra],
  );

  // Delegations: one INSERT per shape; columns (member index, scope, value, delegate index, set_at, ended_at).
  const ins = (select: string, params: unknown[]) =>
    q(
      `INSERT INTO delegation (circle, member, scope_kind, scope_value, delegate, set_seq, set_at, ended_seq, ended_at)
       SELECT '${CIRCLE}', bid(m), sk, sv, bid(d), row_number() OVER (), sa, CASE WHEN ea IS NULL THEN NULL ELSE 1 END, ea
         FROM (${select}) AS g(m, sk, sv, d, sa, ea)`,
      params,
    );
  const B = `'${before}'::timestamptz`;
  const LB = `'${longBefore}'::timestamptz`;
  const NT = 'NULL::timestamptz';
  // Every 10th voter delegates too: overridden by her own vote.
  await ins(`SELECT i, 'circle', '', (i + 1) % ${L.V}, ${LB}, ${NT} FROM generate_series(0, ${L.V - 1}) i WHERE i % 10 = 3`, []);
  // Popular: circle → one of 5 delegates (voters 0..4); every 4th also topic → another (wins); every 7th a topic that does not match.
  await ins(
    `SELECT i, 'circle', '', i % 5, ${LB}, ${NT} FROM generate_series(${L.V}, ${L.P - 1}) i
     UNION ALL SELECT i, 'topic', '${TOPIC}', (i + 1) % 5, ${LB}, ${NT} FROM generate_series(${L.V}, ${L.P - 1}) i WHERE i % 4 = 0
     UNION ALL SELECT i, 'topic', 'roads', (i + 2) % 5, ${LB}, ${NT} FROM generate_series(${L.V}, ${L.P - 1}) i WHERE i % 7 = 0`,
    [],
  );
  // Chains, scope by i % 3. The big one: i → i+1 over [P, P+bigChain), its end → voter 7.
  // Then chains of 2,000: end → a voter, or (one block in five) → an absent member: lost.
  const scope = `CASE i % 3 WHEN 0 THEN 'circle' WHEN 1 THEN 'topic' ELSE 'proposal' END`;
  const scopeValue = `CASE i % 3 WHEN 0 THEN '' WHEN 1 THEN '${TOPIC}' ELSE '${PROPOSAL}' END`;
  const bigEnd = L.P + L.bigChain - 1;
  await ins(
    `SELECT i, ${scope}, ${scopeValue},
            CASE WHEN i = ${bigEnd} THEN 7
                 WHEN i < ${bigEnd} THEN i + 1
                 WHEN (i - ${bigEnd}) % ${L.chain} <> 0 AND i < ${L.C - 1} THEN i + 1
                 WHEN ((i - ${bigEnd}) / ${L.chain}) % 5 = 0 THEN ${L.Y} + (i % 1000)
                 ELSE (i * 7) % ${L.V} END,
            ${LB}, ${NT}
       FROM generate_series(${L.P}, ${L.C - 1}) i`,
    [],
  );
  // Cycles of 10 over [C, cycleHalf); chains of 100 over [cycleHalf, Y) whose ends run into a cycle.
  await ins(
    `SELECT i, 'circle', '', CASE WHEN (i - ${L.C}) % 10 = 9 THEN i - 9 ELSE i + 1 END, ${LB}, ${NT}
       FROM generate_series(${L.C}, ${L.cycleHalf - 1 - ((L.cycleHalf - L.C) % 10)}) i
     UNION ALL
     SELECT i, 'proposal', '${PROPOSAL}',
            CASE WHEN (i - ${L.cycleHalf}) % 100 = 99 OR i = ${L.Y - 1} THEN ${L.C} + (i % 10) ELSE i + 1 END, ${LB}, ${NT}
       FROM generate_series(${L.cycleHalf}, ${L.Y - 1}) i`,
    [],
  );
  // Absent range noise, one shape per i % 20:
  //  0 ended before close; 1 set after close; 2 another proposal; 3 another topic;
  //  4 proposal → non-eligible delegate (nothing else: still absent);
  //  5 proposal → non-eligible, circle → a voter (in force: counts);  6 topic → a voter (counts).
  const A = `FROM generate_series(${L.Y}, ${N - 1}) i`;
  const outsider = `${N} + (i % ${L.extra})`;
  await ins(
    `SELECT i, 'circle', '', i % ${L.V}, ${LB}, ${B} ${A} WHERE i % 20 = 0
     UNION ALL SELECT i, 'circle', '', i % ${L.V}, '${after}'::timestamptz, ${NT} ${A} WHERE i % 20 = 1
     UNION ALL SELECT i, 'proposal', 'other-proposal', i % ${L.V}, ${LB}, ${NT} ${A} WHERE i % 20 = 2
     UNION ALL SELECT i, 'topic', 'roads', i % ${L.V}, ${LB}, ${NT} ${A} WHERE i % 20 = 3
     UNION ALL SELECT i, 'proposal', '${PROPOSAL}', ${outsider}, ${LB}, ${NT} ${A} WHERE i % 20 IN (4, 5)
     UNION ALL SELECT i, 'circle', '', i % ${L.V}, ${LB}, ${NT} ${A} WHERE i % 20 = 5
     UNION ALL SELECT i, 'topic', '${TOPIC}', i % ${L.V}, ${LB}, ${NT} ${A} WHERE i % 20 = 6`,
    [],
  );
  // Non-eligible members delegating (ignored).
  await ins(`SELECT i, 'circle', '', i % ${L.V}, ${LB}, ${NT} FROM generate_series(${N}, ${N + 2 * L.extra - 1}) i`, []);
  await q(`ANALYZE`);
  const [counts] = await q(
    `SELECT (SELECT count(*)::int FROM member) AS members, (SELECT count(*)::int FROM circle_membership) AS memberships,
            (SELECT count(*)::int FROM vote) AS votes, (SELECT count(*)::int FROM delegation) AS delegations`,
  );
  return { openedSeq, sizes: counts };
}

// ---------------------------------------------------------------- resolution in PostgreSQL

interface SqlResult {
  ms: number;
  finished: boolean;
  error?: string;
  totals?: { Y: number; N: number; A: number };
  maxDepth?: number;
  top?: Array<{ voter: string; choice: string; weight: number }>;
  prepareMs?: number;
}

/**
 * LiquidFeedback's approach, on one connection: the eligible members, direct voters and each
 * non-voter's effective delegation (scope precedence, eligible delegate) materialized as indexed
 * temp tables, then a recursive query from every direct voter back along the delegations. A
 * non-voter has one effective delegate, so what hangs under the voters is a forest: no cycle
 * check is needed in this direction (cycles are simply never reached); the depth limit is a guard.
 */
async function sqlReverse(url: string, openedSeq: number): Promise<SqlResult> {
  const c = new Client({ connectionString: url });
  await c.connect();
  const t0 = performance.now();
  try {
    await c.query(`SET statement_timeout = ${SQL_TIMEOUT_S * 1000}`);
    await prepareEdges(c, openedSeq);
    await steerToIndex(c);
    const prepareMs = performance.now() - t0;
    const { rows } = await c.query(
      `WITH RECURSIVE w(member, voter, choice, depth) AS (
         SELECT member, member, choice, 0 FROM t_direct
         UNION ALL
         SELECT e.member, w.voter, w.choice, w.depth + 1 FROM w JOIN t_edge e ON e.delegate = w.member WHERE w.depth < $1
       ), weights AS (
         SELECT voter, choice, count(*)::int AS weight, max(depth)::int AS depth FROM w GROUP BY voter, choice
       )
       SELECT json_build_object(
         'totals', (SELECT json_object_agg(choice, s) FROM (SELECT choice, sum(weight)::int AS s FROM weights GROUP BY choice) x),
         'maxDepth', (SELECT max(depth) FROM weights),
         'top', (SELECT json_agg(t) FROM (SELECT voter, choice, weight FROM weights ORDER BY weight DESC, voter LIMIT 5) t)) AS r`,
      [N + 1],
    );
    const r = rows[0].r as { totals: Record<string, number>; maxDepth: number; top: SqlResult['top'] };
    return {
      ms: performance.now() - t0,
      prepareMs,
      finished: true,
      totals: { Y: r.totals.yes ?? 0, N: r.totals.no ?? 0, A: r.totals.abstain ?? 0 },
      maxDepth: r.maxDepth,
      top: r.top,
    };
  } catch (e) {
    return { ms: performance.now() - t0, finished: false, error: (e as Error).message };
  } finally {
    await c.end();
  }
}

async function prepareEdges(c: Client, openedSeq: number): Promise<void> {
  const close = new Date(CLOSES_AT).toISOString();
  await c.query(
    `CREATE TEMP TABLE t_eligible AS SELECT DISTINCT member FROM circle_membership
      WHERE circle = $1 AND joined_seq < $2 AND (left_seq IS NULL OR left_seq > $2)`,
    [CIRCLE, openedSeq],
  );
  await c.query(`ALTER TABLE t_eligible ADD PRIMARY KEY (member)`);
  await c.query(
    `CREATE TEMP TABLE t_direct AS SELECT v.member, v.choice FROM vote v JOIN t_eligible e USING (member)
      WHERE v.proposal = $1 AND v.choice IS NOT NULL AND v.recorded_at < $2`,
    [PROPOSAL, close],
  );
  await c.query(`ALTER TABLE t_direct ADD PRIMARY KEY (member)`);
  await c.query(
    `CREATE TEMP TABLE t_edge AS
     SELECT DISTINCT ON (d.member) d.member, d.delegate
       FROM delegation d
       JOIN t_eligible em ON em.member = d.member
       JOIN t_eligible ed ON ed.member = d.delegate
      WHERE d.circle = $1 AND d.set_at < $2 AND (d.ended_at IS NULL OR d.ended_at >= $2)
        AND (d.scope_kind = 'circle' OR (d.scope_kind = 'topic' AND d.scope_value = $3) OR (d.scope_kind = 'proposal' AND d.scope_value = $4))
        AND NOT EXISTS (SELECT 1 FROM t_direct x WHERE x.member = d.member)
      ORDER BY d.member, CASE d.scope_kind WHEN 'proposal' THEN 0 WHEN 'topic' THEN 1 ELSE 2 END`,
    [CIRCLE, close, TOPIC, PROPOSAL],
  );
  await c.query(`CREATE INDEX ON t_edge (delegate)`);
  await c.query(`ALTER TABLE t_edge ADD PRIMARY KEY (member)`);
  await c.query(`ANALYZE t_eligible, t_direct, t_edge`);
}

/**
 * The planner's own choice for the recursive term is a merge join that re-sorts the whole edge
 * table on every iteration (one per hop: 100,000 for the deepest chain); a nested loop over the
 * index on t_edge is what makes the walk linear. Giving PostgreSQL its best plan keeps the
 * comparison fair.
 */
async function steerToIndex(c: Client): Promise<void> {
  await c.query(`SET enable_hashjoin = off`);
  await c.query(`SET enable_mergejoin = off`);
}

/** Literally "from each non-voter forward to a direct voter", depth-limited (a longer walk is a cycle). */
async function sqlForward(url: string, openedSeq: number): Promise<SqlResult> {
  const c = new Client({ connectionString: url });
  await c.connect();
  const t0 = performance.now();
  try {
    await c.query(`SET statement_timeout = ${SQL_FORWARD_TIMEOUT_S * 1000}`);
    await prepareEdges(c, openedSeq);
    await steerToIndex(c);
    const prepareMs = performance.now() - t0;
    const { rows } = await c.query(
      `WITH RECURSIVE f(start, cur, depth) AS (
         SELECT member, delegate, 1 FROM t_edge
         UNION ALL
         SELECT f.start, e.delegate, f.depth + 1 FROM f JOIN t_edge e ON e.member = f.cur WHERE f.depth < $1
       )
       SELECT d.choice, count(*)::int AS n FROM (
         SELECT member AS voter FROM t_direct UNION ALL SELECT f.cur FROM f JOIN t_direct x ON x.member = f.cur
       ) r JOIN t_direct d ON d.member = r.voter GROUP BY d.choice`,
      [N],
    );
    const by = Object.fromEntries(rows.map((r: { choice: string; n: number }) => [r.choice, r.n]));
    return { ms: performance.now() - t0, prepareMs, finished: true, totals: { Y: by.yes ?? 0, N: by.no ?? 0, A: by.abstain ?? 0 } };
  } catch (e) {
    return { ms: performance.now() - t0, finished: false, error: (e as Error).message };
  } finally {
    await c.end();
  }
}

// ---------------------------------------------------------------- main

// ---------------------------------------------------------------- the series (BENCH_SERIES)

/**
 * `BENCH_SERIES=1` (or a list such as `1000,20000,1000000`): the same generated circle at each size,
 * each in a database of its own; per size the best of BENCH_ROUNDS of the loader + countArrays + ids
 * of cycle members, and the loader's statement alone with PostgreSQL's default parallel plan
 * (max_parallel_workers_per_gather 2, what the loader runs with since 2026-12-05) against none
 * (what it ran with before).
 * Time should grow linearly with the circle: the last column stays flat.
 */
const SERIES_DEFAULT = [1_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000];

function seriesSizes(): number[] | null {
  const raw = process.env.BENCH_SERIES;
  if (!raw || raw === '0') return null;
  if (raw === '1') return SERIES_DEFAULT;
  const sizes = raw.split(',').map((x) => Number(x.trim().replace(/_/g, '')));
  if (sizes.some((x) => !Number.isSafeInteger(x) || x < 1_000)) throw new Error('BENCH_SERIES: sizes are integers ≥ 1000, comma-separated (or 1 for the default series)');
  return sizes;
}

async function bestOf<T>(rounds: number, f: () => Promise<T>): Promise<[T, number]> {
  let best = Infinity;
  let result: T | undefined;
  for (let r = 0; r < rounds; r++) {
    const [value, ms] = await timed(f);
    if (ms < best) [best, result] = [ms, value];
  }
  return [result as T, best];
}

async function series(sizes: number[]): Promise<void> {
  log(`bench:tally series — ${sizes.map((n) => fmt(n)).join(', ')} eligible members, best of ${ROUNDS}, ${cpus().length} CPU(s), load ${loadavg().map((l) => l.toFixed(2)).join(' ')}, Node ${process.version}`);
  log();
  log('   members │ end to end │ µs / member │ × previous (size ×) │ statement, parallel plan │ statement, no parallel │ parallel ÷ not');
  const rows: Array<{ n: number; ms: number }> = [];
  for (const n of sizes) {
    const dbName = `archipel_bench_tally_${randomBytes(5).toString('hex')}`;
    const admin = new Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    const url = withDatabase(ADMIN_URL, dbName);
    let ds: DataSource | undefined;
    const raw = new Client({ connectionString: url });
    try {
      ds = await openDataSource({ url, poolSize: 4 });
      await runMigrations(ds);
      const { openedSeq } = await generate(ds, n);
      const proposal: ProposalRow = {
        id: PROPOSAL, circle: CIRCLE, kind: 'motion', title: 'bench', text: 'bench', topic: TOPIC, regime: 'amendment',
        params: { ...DEFAULT_PARAMS }, openedSeq, openedAt: CLOSES_AT - 30 * 86_400_000, openedBy: 'bench', closesAt: CLOSES_AT,
        amendmentsCloseAt: null, body: {}, result: null,
      };
      const [, ms] = await bestOf(ROUNDS, async () => {
        const loaded = await loadTallyArrays(ds!, proposal);
        return withIdsOfCycles(ds!, loaded, countArrays(loaded.input));
      });
      await raw.connect();
      const params = [CIRCLE, openedSeq, choicesFor('motion', 'amendment'), PROPOSAL, new Date(CLOSES_AT).toISOString(), TOPIC];
      await raw.query('SET max_parallel_workers_per_gather = 2');
      const [, parallelMs] = await bestOf(ROUNDS, () => raw.query(LOAD_SQL, params));
      await raw.query('SET max_parallel_workers_per_gather = 0');
      const [, serialMs] = await bestOf(ROUNDS, () => raw.query(LOAD_SQL, params));
      const prev = rows[rows.length - 1];
      const growth = prev ? `${fmt(ms / prev.ms, 1)}× (${fmt(n / prev.n, 1)}×)` : '';
      rows.push({ n, ms });
      log(
        `${fmt(n).padStart(10)} │ ${`${fmt(ms, 1)} ms`.padStart(10)} │ ${fmt((ms * 1000) / n, 2).padStart(11)} │ ${growth.padStart(19)} │ ` +
          `${`${fmt(parallelMs, 1)} ms`.padStart(24)} │ ${`${fmt(serialMs, 1)} ms`.padStart(22)} │ ${fmt(parallelMs / serialMs, 2).padStart(14)}`,
      );
    } finally {
      await raw.end().catch(() => undefined);
      await ds?.destroy().catch(() => undefined);
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin.end();
    }
  }
  const big = rows.filter((r) => r.n >= 10_000).map((r) => r.ms / r.n);
  if (big.length > 1) log(`\n  µs per member from 10,000 members on: ${fmt(Math.min(...big) * 1000, 2)}–${fmt(Math.max(...big) * 1000, 2)} (max ÷ min ${fmt(Math.max(...big) / Math.min(...big), 2)})`);
  const last = rows[rows.length - 1];
  if (last.n === 1_000_000) log(`  1,000,000 members end to end: ${fmt(last.ms)} ms   goal < ${fmt(GOAL_TOTAL_MS)} ms: ${goal(last.ms < GOAL_TOTAL_MS)}`);
}

// ---------------------------------------------------------------- LiquidFeedback side by side (LF_CORE_SQL)

/**
 * `LF_CORE_SQL=/path/to/core.sql`: at each size of BENCH_LF_SIZES (default 5,000, 10,000, 20,000)
 * the same generated circle in an Archipel database and, through bench/liquidfeedback.ts, in a
 * LiquidFeedback core database of its own; LiquidFeedback closes the voting its own way, Archipel
 * runs its loader and count, both timed in this run, and the weights of the direct voters are
 * compared member by member (Archipel's side from delegationGraph, its per-voter view of the same
 * resolution) along with the yes/no/abstain totals.
 */
/**
 * LiquidFeedback follows a chain by recursion, one PL/pgSQL call per hop, within PostgreSQL's
 * max_stack_depth (at most about 7.5 MB under the usual 8 MB stack limit): core 2.2.3 fails with
 * "stack depth limit exceeded" on a chain of 3,000 hops (bench:tally's shape at 20,000 members).
 * So in this mode no chain is longer than LF_MAX_CHAIN hops (default 1,500, which it survives).
 */
const LF_MAX_CHAIN = envInt('LF_MAX_CHAIN', 1_500);

async function liquidFeedbackSideBySide(corePath: string): Promise<void> {
  const raw = process.env.BENCH_LF_SIZES;
  const sizes = raw ? raw.split(',').map((x) => Number(x.trim().replace(/_/g, ''))) : [5_000, 10_000, 20_000];
  if (sizes.some((x) => !Number.isSafeInteger(x) || x < 1_000)) throw new Error('BENCH_LF_SIZES: sizes are integers ≥ 1000, comma-separated');
  log(`bench:tally — LiquidFeedback side by side (${corePath}), ${sizes.map((n) => fmt(n)).join(', ')} eligible members, chains of at most ${fmt(LF_MAX_CHAIN)} hops, ${cpus().length} CPU(s), load ${loadavg().map((l) => l.toFixed(2)).join(' ')}, Node ${process.version}`);
  const rows: Array<{ n: number; lf: number; first: number; best: number; ok: boolean }> = [];
  for (const n of sizes) {
    const tag = randomBytes(5).toString('hex');
    const dbName = `archipel_bench_tally_${tag}`;
    const lfName = `archipel_bench_lf_${tag}`;
    const admin = new Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.query(`CREATE DATABASE ${lfName}`);
    const url = withDatabase(ADMIN_URL, dbName);
    const rawArchipel = new Client({ connectionString: url });
    const lf = new Client({ connectionString: withDatabase(ADMIN_URL, lfName) });
    let ds: DataSource | undefined;
    try {
      ds = await openDataSource({ url, poolSize: 4 });
      await runMigrations(ds);
      const { openedSeq } = await generate(ds, n, LF_MAX_CHAIN);
      await rawArchipel.connect();
      await lf.connect();
      lf.on('notice', () => undefined);
      const installed = await installLiquidFeedback(lf, corePath);
      if (rows.length === 0) {
        log(`LiquidFeedback core ${installed.version}, adapted at load time for PostgreSQL ≥ 9.5:`);
        for (const a of installed.adaptations) log(`  - ${a}`);
      }
      const closesAt = new Date(CLOSES_AT).toISOString();
      const graph = await readGraphAtClose(rawArchipel, { circle: CIRCLE, openedSeq, proposal: PROPOSAL, topic: TOPIC, closesAt });
      await loadIntoLiquidFeedback(lf, graph);

      const proposal: ProposalRow = {
        id: PROPOSAL, circle: CIRCLE, kind: 'motion', title: 'bench', text: 'bench', topic: TOPIC, regime: 'amendment',
        params: { ...DEFAULT_PARAMS }, openedSeq, openedAt: CLOSES_AT - 30 * 86_400_000, openedBy: 'bench', closesAt: CLOSES_AT,
        amendmentsCloseAt: null, body: {}, result: null,
      };
      // Both timed in this run: LiquidFeedback's close once (it writes its results), ours ROUNDS times.
      const closed = await closeVotingLiquidFeedback(lf);
      const ours: number[] = [];
      let body: TallyResultBody | undefined;
      for (let r = 0; r < ROUNDS; r++) {
        const t = performance.now();
        const loaded = await loadTallyArrays(ds, proposal);
        body = await withIdsOfCycles(ds, loaded, countArrays(loaded.input));
        ours.push(performance.now() - t);
      }

      // Member by member: Archipel's per-voter weights (delegationGraph) against LF's direct_voter.weight.
      const inputs = await new ProposalsRepository(ds).tallyInputs(proposal, CLOSES_AT);
      const graphWeights = delegationGraph({ eligible: inputs.eligible, voters: new Set(inputs.votes.keys()), delegations: inputs.delegations, topic: TOPIC }).weights;
      const numOf = new Map(
        ((await rawArchipel.query(`SELECT DISTINCT member, num FROM circle_membership WHERE circle = $1`, [CIRCLE])).rows as Array<{ member: string; num: number }>).map(
          (r) => [r.member, r.num],
        ),
      );
      let differ = 0;
      for (const { member, weight } of graphWeights) if (closed.weights.get(numOf.get(member)!) !== weight) differ++;
      const sameVoters = graphWeights.length === closed.weights.size;
      const t = body!.totals;
      const sameTotals = t.Y === closed.totals.Y && t.N === closed.totals.N && t.A === closed.totals.A;
      const ok = differ === 0 && sameVoters && sameTotals;
      const [first, best] = [ours[0], Math.min(...ours)];
      rows.push({ n, lf: closed.totalMs, first, best, ok });
      log();
      log(`${fmt(n)} eligible members: ${fmt(graph.votes.length)} votes, ${fmt(graph.delegations.length)} delegations in force loaded into LiquidFeedback`);
      log(`  LiquidFeedback check_issue until closed: ${fmt(closed.totalMs)} ms (${closed.steps.map((s) => `${s.step} ${fmt(s.ms)} ms`).join(', ')}); ${fmt(closed.delegatingVoters)} delegating voters`);
      log(`  Archipel loader + countArrays + ids of cycle members: first ${fmt(first, 1)} ms, best of ${ROUNDS} ${fmt(best, 1)} ms`);
      log(`  weights of ${fmt(graphWeights.length)} direct voters (LF ${fmt(closed.weights.size)}): ${differ === 0 && sameVoters ? 'identical member by member' : `${fmt(differ)} DIFFER`}`);
      log(`  totals Y ${fmt(t.Y)} N ${fmt(t.N)} A ${fmt(t.A)} — LiquidFeedback Y ${fmt(closed.totals.Y)} N ${fmt(closed.totals.N)} A ${fmt(closed.totals.A)}: ${sameTotals ? 'OK' : 'MISMATCH'}`);
      log(`  LiquidFeedback ÷ Archipel: ${fmt(closed.totalMs / first)}× (first round), ${fmt(closed.totalMs / best)}× (best)`);
      if (!ok) process.exitCode = 1;
    } finally {
      await rawArchipel.end().catch(() => undefined);
      await lf.end().catch(() => undefined);
      await ds?.destroy().catch(() => undefined);
      if (process.env.BENCH_KEEP === '1') log(`kept databases ${dbName}, ${lfName}`);
      else {
        await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
        await admin.query(`DROP DATABASE IF EXISTS ${lfName} WITH (FORCE)`);
      }
      await admin.end();
    }
  }
  log();
  log('   members │ LiquidFeedback │ Archipel (first / best) │ LF ÷ Archipel (first / best) │ weights');
  for (const r of rows) {
    log(
      `${fmt(r.n).padStart(10)} │ ${`${fmt(r.lf)} ms`.padStart(14)} │ ${`${fmt(r.first, 1)} / ${fmt(r.best, 1)} ms`.padStart(23)} │ ` +
        `${`${fmt(r.lf / r.first)}× / ${fmt(r.lf / r.best)}×`.padStart(28)} │ ${r.ok ? 'identical' : 'DIFFER'}`,
    );
  }
}

async function main(): Promise<void> {
  if (process.env.LF_CORE_SQL) return liquidFeedbackSideBySide(process.env.LF_CORE_SQL);
  const sizes = seriesSizes();
  if (sizes) return series(sizes);
  const dbName = `archipel_bench_tally_${randomBytes(5).toString('hex')}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = withDatabase(ADMIN_URL, dbName);
  let ds: DataSource | undefined;
  try {
    log(`bench:tally — ${fmt(N)} eligible members, ${cpus().length} CPU(s), load ${loadavg().map((l) => l.toFixed(2)).join(' ')}, Node ${process.version}`);
    log(`database ${dbName}`);
    ds = await openDataSource({ url, poolSize: 4 });
    await runMigrations(ds);
    const [{ openedSeq, sizes }, genMs] = await timed(() => generate(ds!));
    log(`generated in ${fmt(genMs / 1000, 1)} s (not timed below): ${Object.entries(sizes).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`);
    const [pg] = await ds.query(`SELECT current_setting('server_version') AS v, current_setting('shared_buffers') AS sb, current_setting('work_mem') AS wm`);
    log(`PostgreSQL ${pg.v}, shared_buffers ${pg.sb}, work_mem ${pg.wm}`);

    const proposal: ProposalRow = {
      id: PROPOSAL, circle: CIRCLE, kind: 'motion', title: 'bench', text: 'bench', topic: TOPIC, regime: 'amendment',
      params: { ...DEFAULT_PARAMS }, openedSeq, openedAt: CLOSES_AT - 30 * 86_400_000, openedBy: 'bench', closesAt: CLOSES_AT,
      amendmentsCloseAt: null, body: {}, result: null,
    };

    // ---- ours: first as before the opening's snapshot job has run (the memberships scanned), then
    // with the snapshot it keeps (the server's path for a circle this size once the job has run).
    const runRounds = async () => {
      const baseRss = process.memoryUsage().rss;
      let body: TallyResultBody | undefined;
      let peakAfterFirstMb = 0;
      const rounds: Array<{ load: number; tally: number; ids: number; total: number; resolveOnly: number }> = [];
      for (let r = 0; r < ROUNDS; r++) {
        const t0 = performance.now();
        // As a close reads (ProposalsService.close): the delegations on a second connection where the members were kept.
        const loaded = await loadTallyArrays(ds!, proposal, proposal.closesAt, () => sideConnectionOf(ds!));
        const t1 = performance.now();
        const counted = countArrays(loaded.input);
        const t2 = performance.now();
        const b = await withIdsOfCycles(ds!, loaded, counted);
        const t3 = performance.now();
        const r0 = performance.now();
        resolveDelegations({ choice: loaded.input.choice, delegate: loaded.input.delegate });
        const resolveOnly = performance.now() - r0;
        rounds.push({ load: t1 - t0, tally: t2 - t1, ids: t3 - t2, total: t3 - t0, resolveOnly });
        if (r === 0) peakAfterFirstMb = process.resourceUsage().maxRSS / 1024;
        const t = loaded.timings;
        log(
          `  round ${r + 1}: load ${fmt(t1 - t0)} ms (query ${fmt(t.queryMs)}, members ${fmt(t.membersMs)}, votes ${fmt(t.votesMs)}, ` +
            `delegations ${fmt(t.delegationsMs)}) · countArrays ${fmt(t2 - t1)} ms (resolveDelegations alone ${fmt(resolveOnly)} ms) · ` +
            `ids of cycle members ${fmt(t3 - t2)} ms · total ${fmt(t3 - t0)} ms · rss ${fmt(mb(process.memoryUsage().rss))} MB`,
        );
        if (r === 0) log(`           read: ${fmt(loaded.counts.eligible)} eligible, ${fmt(loaded.counts.votes)} votes, ${fmt(loaded.counts.delegations)} delegations in force (rows read)`);
        body = b;
      }
      const first = rounds[0];
      const best = rounds.reduce((a, b) => (b.total < a.total ? b : a));
      const median = [...rounds].sort((a, b) => a.total - b.total)[Math.floor(rounds.length / 2)];
      return { body: body!, first, best, median, bestResolve: Math.min(...rounds.map((r) => r.tally)), baseRss, peakAfterFirstMb };
    };
    log();
    log('Typed-array loader + countArrays + ids of cycle members (this process), before the snapshot of the opening: the memberships scanned');
    const scanned = await runRounds();
    log(`  end to end (first / median / best): ${fmt(scanned.first.total)} / ${fmt(scanned.median.total)} / ${fmt(scanned.best.total)} ms`);
    const [kept, snapshotMs] = await timed(() => snapshotPopulation(ds!, PROPOSAL));
    const [[runs]] = await Promise.all([ds.query(`SELECT octet_length(runs) / 8 AS n FROM proposal_population WHERE proposal = $1`, [PROPOSAL]) as Promise<Array<{ n: number }>>]);
    log();
    log(`The worker's job at the opening (once per proposal): ${fmt(kept)} eligible members kept as ${fmt(runs?.n ?? 0)} run(s) of numbers in ${fmt(snapshotMs)} ms`);
    log('Typed-array loader + countArrays + ids of cycle members (this process), with that snapshot (the server\'s path)');
    const { first, best, median, bestResolve, body } = await runRounds();
    if (JSON.stringify(body) !== JSON.stringify(scanned.body)) throw new Error('The tally with the snapshot differs from the tally of the memberships');
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    const { totals, lost, absent, outcome } = body;
    log(`  totals E ${fmt(totals.E)} Y ${fmt(totals.Y)} N ${fmt(totals.N)} A ${fmt(totals.A)} O ${fmt(totals.O)} · lost ${fmt(lost.weight)} in ${fmt(lost.cycles.length)} cycles · absent ${fmt(absent)} · ${outcome} · the same body as scanned`);
    log(
      `  end to end (first / median / best): ${fmt(first.total)} / ${fmt(median.total)} / ${fmt(best.total)} ms   goal < ${fmt(GOAL_TOTAL_MS)} ms (median): ${goal(median.total < GOAL_TOTAL_MS)}` +
        ` · ${fmt(scanned.median.total / median.total, 2)}× faster than scanned (medians)`,
    );
    log(`  resolution (countArrays, first / best): ${fmt(first.tally)} / ${fmt(bestResolve)} ms   goal < ${GOAL_RESOLVE_MS} ms: ${goal(first.tally < GOAL_RESOLVE_MS)}`);
    log(
      `  peak RSS (maxRSS) of one tally (the first round in this process, scanned, ${fmt(mb(scanned.baseRss))} MB before it): ${fmt(scanned.peakAfterFirstMb)} MB   ` +
        `goal < ${GOAL_RSS_MB} MB: ${goal(scanned.peakAfterFirstMb < GOAL_RSS_MB)}`,
    );
    // Later rounds allocate again before V8 has run a full collection of the earlier rounds'
    // garbage (the lists' text, the typed arrays): that high-water mark is the garbage
    // collector's pace, shown for what it is.
    log(`  peak RSS after ${2 * ROUNDS} rounds, earlier rounds' garbage not yet collected: ${fmt(peakRssMb)} MB`);

    // ---- the server's Map-based path
    log();
    log('Map-based path (ProposalsRepository.tallyInputs + tallyProposal), for comparison');
    const repo = new ProposalsRepository(ds);
    const [inputs, mapLoadMs] = await timed(() => repo.tallyInputs(proposal, proposal.closesAt));
    const m0 = performance.now();
    const mapBody = tallyProposal({ proposal: proposal.id, kind: proposal.kind, regime: proposal.regime, params: proposal.params, topic: proposal.topic, ...inputs });
    const mapTallyMs = performance.now() - m0;
    const same = JSON.stringify(mapBody) === JSON.stringify(body);
    log(`  load ${fmt(mapLoadMs)} ms · tallyProposal ${fmt(mapTallyMs)} ms · total ${fmt(mapLoadMs + mapTallyMs)} ms · peak RSS now ${fmt(process.resourceUsage().maxRSS / 1024)} MB`);
    log(`  same tally.result body as ours: ${same ? 'OK' : 'MISMATCH'}`);

    // ---- PostgreSQL
    log();
    log(`Resolution inside PostgreSQL, LiquidFeedback style (voters back along delegations), statement_timeout ${SQL_TIMEOUT_S} s`);
    const rev = await sqlReverse(url, openedSeq);
    const ours = first.total;
    let sqlOk = false;
    if (rev.finished && rev.totals) {
      sqlOk = rev.totals.Y === totals.Y && rev.totals.N === totals.N && rev.totals.A === totals.A;
      log(`  ${fmt(rev.ms)} ms (materializing eligible/direct/effective delegations ${fmt(rev.prepareMs!)} ms, recursive walk ${fmt(rev.ms - rev.prepareMs!)} ms), deepest ${fmt(rev.maxDepth!)} hops`);
      log(`  Y ${fmt(rev.totals.Y)} N ${fmt(rev.totals.N)} A ${fmt(rev.totals.A)} — against ours: ${sqlOk ? 'OK' : 'MISMATCH'}`);
      log(`  heaviest voters: ${rev.top!.map((t) => `${t.voter.slice(0, 8)}… ${t.choice} ${fmt(t.weight)}`).join(', ')}`);
      log(`  SQL ÷ ours (first round end to end): ${fmt(rev.ms / ours, 1)}×   goal ≥ ${GOAL_SQL_RATIO}×: ${goal(rev.ms / ours >= GOAL_SQL_RATIO)}`);
    } else {
      log(`  did NOT finish: ${rev.error} after ${fmt(rev.ms)} ms (≥ ${fmt(rev.ms / ours, 1)}× ours); totals not compared`);
    }
    if (SQL_FORWARD_TIMEOUT_S > 0) {
      log();
      log(`Resolution inside PostgreSQL, forward (each non-voter hop by hop to a voter), statement_timeout ${SQL_FORWARD_TIMEOUT_S} s`);
      const fwd = await sqlForward(url, openedSeq);
      if (fwd.finished && fwd.totals) {
        const ok = fwd.totals.Y === totals.Y && fwd.totals.N === totals.N && fwd.totals.A === totals.A;
        log(`  ${fmt(fwd.ms)} ms; Y ${fmt(fwd.totals.Y)} N ${fmt(fwd.totals.N)} A ${fmt(fwd.totals.A)} — against ours: ${ok ? 'OK' : 'MISMATCH'}; ${fmt(fwd.ms / ours, 1)}× ours`);
      } else {
        log(`  did NOT finish: ${fwd.error} after ${fmt(fwd.ms)} ms (≥ ${fmt(fwd.ms / ours, 1)}× ours)`);
      }
    }
    if (!same || (rev.finished && !sqlOk)) process.exitCode = 1;
  } finally {
    await ds?.destroy().catch(() => undefined);
    if (process.env.BENCH_KEEP === '1') log(`kept database ${dbName}`);
    else await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((e) => {
  process.stderr.write(`bench:tally failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
