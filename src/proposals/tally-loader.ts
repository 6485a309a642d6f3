// SPEC §5.1, §5.2 — the state at close of one proposal, loaded in bulk straight into the typed
// arrays `countArrays` takes, for huge circles (a million members and more).
//
// Same selection as ProposalsRepository.tallyInputs (eligible members frozen at opening, last votes
// recorded strictly before close, delegations in force at close), but without a JS object or
// string per row, and without reading member ids at all: every member of a circle has a number,
// kept on her membership, vote and delegation rows (migration 1764400000000). ONE statement
// returns each list as packed int32s in base64 (plain string_agg, no sort, no join: PostgreSQL
// only scans), decoded straight into the typed arrays. The eligible members are indexed
// 0.. in the order read, arbitrary: totals do not depend on it, and the few members in a cycle
// are looked up by number afterwards (withIdsOfCycles) to report the cycles by id, normalized.
// For a big circle the members come from the snapshot a job took at the opening
// (snapshotPopulation), and a close reads the delegations on a second connection meanwhile.
//
// Earlier versions, measured (docs/performance.md): numbering the members in PostgreSQL with
// DISTINCT and three 1M-row hash joins on text (3.3–4.8 s); shipping the ids as text and numbering
// them in JS with a hash table (1.3–1.4 s, but ~300 MB: a hundred megabytes of id text, doubled by
// node-pg's receive buffer); numbers in decimal text, three scans of the delegations (about
// 0.7 s at a million members); the memberships scanned at every tally (0.5–0.8 s; 0.34 s with the
// snapshot and the second connection).
import type { DataSource, EntityManager } from 'typeorm';
import { NO_DELEGATE } from '../core/governance/resolve';
import { choicesFor, countArrays, withCycleIds, type CountedTally, type TallyCountInput, type TallyResultBody } from '../core/governance/tally';
import type { ProposalRow } from './proposal-row';

/** Where to read: the data source, or an entity manager (inside its transaction, if it has one). */
export type TallySource = Pick<DataSource | EntityManager, 'query'>;

export type TallyLoaderProposal = Pick<ProposalRow, 'id' | 'circle' | 'openedSeq' | 'topic' | 'closesAt' | 'kind' | 'regime' | 'params'> & {
  /** Void amendments of an amendment-regime motion, passed through to the tally. */
  void?: readonly string[];
};

export interface TallyLoadTimings {
  /** Wall time of the one statement (transfer and text decoding included). */
  queryMs: number;
  /** Indexing the eligible members by number. */
  membersMs: number;
  /** Direct votes into the `choice` array. */
  votesMs: number;
  /** Delegations, scope by scope, into the effective delegate array. */
  delegationsMs: number;
  totalMs: number;
}

export interface LoadedTallyArrays {
  input: TallyCountInput;
  /** The circle's member number of each eligible member, by index (for the ids of cycles). */
  numbers: Int32Array;
  circle: string;
  timings: TallyLoadTimings;
  /** Row counts as read (before eligibility filtering of votes and delegations). */
  counts: { eligible: number; votes: number; delegations: number };
}

const now = () => performance.now();

const Part = { Members: 0, Votes: 1, Delegations: 2, Population: 3 } as const;
/** A vote's code is its choice's index below this, or OUTSIDE (see LOAD_SQL). */
const VOTE_CODES = 8;
const OUTSIDE = VOTE_CODES - 1;
type Part = (typeof Part)[keyof typeof Part];

// One statement, so one snapshot. Each list is a separate row (a separate protocol message) and a
// plain aggregate (no grouping that could sort or spill), of big-endian int32s (int4send) in
// base64: 5.4 characters a number where decimal text took 7, and decoded natively (Buffer) instead
// of digit by digit. node-pg decodes every field as UTF-8, so raw binary would be mangled; base64
// is the smallest text it passes through intact (PostgreSQL breaks it into lines of 76
// characters, which Buffer.from skips). A vote is one int32, voter × 8 + code (the choice's index,
// or 7 for a choice outside the list, an error only if the voter is eligible, as in
// choiceCodesById): half the bytes of a pair; a circle would need 268,435,456 members for the
// product to overflow, which PostgreSQL refuses ("integer out of range") rather than wrap. A
// delegation is a pair member, delegate. The delegations are read in ONE scan of the table, a
// FILTER aggregate per scope (three scans cost twice as much at a million members). A member with no number is no member of the
// circle, so never eligible: her rows are left out; a delegate with no number is -1, never eligible
// either. The members' row also gives the highest number and the count, to size the arrays.
// Eligible members are frozen at the opening (SPEC §5.1): where the snapshot taken then exists
// (snapshotPopulation: runs of consecutive numbers), it is read instead of the memberships, whose
// scan PostgreSQL then skips (the NOT EXISTS is one uncorrelated test, evaluated once before it).
// MEMBERS_AND_VOTES_SQL and delegationsSql are its two halves, for a close read on two
// connections at once (loadTallyArrays' `side`).
/** SPEC §5.1, eligible at the opening: a membership `m` begun before it and not ended before it. */
const eligibleAtOpening = (m: string, openedSeq: string) => `${m}.joined_seq < ${openedSeq} AND (${m}.left_seq IS NULL OR ${m}.left_seq > ${openedSeq})`;

const MEMBERS_AND_VOTES_SQL = `
  SELECT ${Part.Population} AS part, encode(runs, 'base64') AS list, NULL AS topic, NULL AS circle, top, count
    FROM proposal_population
   WHERE proposal = $4
  UNION ALL
  SELECT ${Part.Members}, encode(string_agg(int4send(m.num), ''), 'base64'), NULL, NULL, max(m.num), count(*)::int
    FROM circle_membership m
   WHERE m.circle = $1 AND ${eligibleAtOpening('m', '$2')}
     AND NOT EXISTS (SELECT 1 FROM proposal_population WHERE proposal = $4)
  UNION ALL
  SELECT ${Part.Votes}, encode(string_agg(int4send(member_num * ${VOTE_CODES} + coalesce(array_position($3::text[], choice) - 1, ${OUTSIDE})), ''), 'base64'),
         NULL, NULL, NULL, count(*)::int
    FROM vote
   WHERE proposal = $4 AND choice IS NOT NULL AND recorded_at < $5 AND member_num IS NOT NULL`;

/** The delegations' branch, its parameters named by the statement it stands in. */
const delegationsSql = ($circle: string, $closes: string, $topic: string, $proposal: string) => `
  SELECT ${Part.Delegations} AS part,
         encode(string_agg(int4send(member_num) || int4send(coalesce(delegate_num, -1)), '') FILTER (WHERE scope_kind = 'proposal'), 'base64') AS list,
         encode(string_agg(int4send(member_num) || int4send(coalesce(delegate_num, -1)), '') FILTER (WHERE scope_kind = 'topic'), 'base64') AS topic,
         encode(string_agg(int4send(member_num) || int4send(coalesce(delegate_num, -1)), '') FILTER (WHERE scope_kind = 'circle'), 'base64') AS circle,
         NULL::int AS top, count(*)::int AS count
    FROM delegation
   WHERE circle = ${$circle} AND set_at < ${$closes} AND (ended_at IS NULL OR ended_at >= ${$closes}) AND member_num IS NOT NULL
     AND (scope_kind = 'circle' OR (scope_kind = 'topic' AND scope_value = ${$topic}::text) OR (scope_kind = 'proposal' AND scope_value = ${$proposal}))`;

/** The whole read in one statement (one snapshot): parameters circle, opened seq, choices, proposal, closes, topic. */
export const LOAD_SQL = `${MEMBERS_AND_VOTES_SQL}
  UNION ALL ${delegationsSql('$1', '$5', '$6', '$4')}`;

/** A second connection of the pool, taken for one read and given back. */
export interface SideConnection {
  query: TallySource['query'];
  release(): void | Promise<void>;
}

/** How long a close waits for a second connection before it reads on its own one alone. */
const SIDE_WAIT_MS = 50;

/**
 * A second connection from `ds`'s pool if one comes within SIDE_WAIT_MS, else null (and the one
 * that comes later is given back at once): a close that holds its transaction's connection never
 * waits on a pool that other closes hold (two closes each waiting for the other's connection).
 * Null for a pool of one (the embedded PGlite).
 */
export async function sideConnectionOf(ds: DataSource): Promise<SideConnection | null> {
  const options = ds.options as { poolSize?: number };
  if ((options.poolSize ?? 10) < 2) return null;
  const runner = ds.createQueryRunner();
  const connected = runner.connect().then(
    () => true,
    () => false,
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const inTime = await Promise.race([connected, new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), SIDE_WAIT_MS)))]);
  clearTimeout(timer);
  if (!inTime) {
    void connected.then(() => runner.release());
    return null;
  }
  return { query: (sql: string, params?: unknown[]) => runner.query(sql, params), release: () => runner.release() };
}

/**
 * The int32s of a list as the loader's statement writes them: big-endian, 4 bytes each, in
 * base64 (line breaks allowed); null (an aggregate over no rows) is the empty list. Pure.
 */
export function int32sFromBase64(text: string | null): Int32Array {
  if (text === null || text === '') return new Int32Array(0);
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % 4 !== 0) throw new SyntaxError(`int32sFromBase64: ${bytes.length} bytes is not a whole number of int32s`);
  // A Buffer of this size has an ArrayBuffer of its own; copy in the rare case it is not aligned.
  const own = bytes.byteOffset % 4 === 0 ? bytes : Buffer.from(bytes);
  own.swap32(); // big-endian to the platform's order (little-endian on every platform Node runs on)
  return new Int32Array(own.buffer, own.byteOffset, own.length / 4);
}

/**
 * Parallel query: the first one-statement loader (five branches, decimal text) ran slower with
 * PostgreSQL's parallel workers on two cores, from about 20,000 members (38–42 ms against
 * 9.5–9.9 ms without: a 5× step from 10,000 to 20,000 members), so it ran without them. The
 * statement as it is now (three branches of comparable cost, one scan per table) shows no such
 * step and gains from them: bench:tally, 2026-12-05, parallel plan against none, 11.1 / 10.9 ms
 * at 20,000 members, 50 / 68 ms at 100,000, 72 / 98 ms at 200,000, about 330 / 520 ms at
 * 1,000,000. So it runs with the server's setting (max_parallel_workers_per_gather).
 */

/**
 * Loads the eligible members, direct votes and effective delegates of `proposal` at `at` (default
 * its `closesAt`) as the input of `countArrays`; tallyLoaded finishes the tally. Works on a
 * DataSource or inside a transaction's EntityManager alike (one read-only statement).
 *
 * `side`, for a close only: where the proposal's members were kept at its opening (a big circle),
 * the delegations are read on a second connection while `source` reads the members and votes
 * (bench:tally: about 330 → 210 ms at a million members; PostgreSQL's own parallel plan gains
 * nothing here, its workers hand their megabytes of text through shared memory). Two statements
 * are two snapshots, which is exact only for a past instant whose statements have all committed:
 * a close, under its circle's lock, after `closesAt` (votes and delegations set before it no
 * longer change; a later revocation ends a delegation after it).
 */
export async function loadTallyArrays(
  source: TallySource,
  proposal: TallyLoaderProposal,
  at: number = proposal.closesAt,
  side?: () => Promise<SideConnection | null>,
): Promise<LoadedTallyArrays> {
  const t0 = now();
  const closes = new Date(at).toISOString();
  const choices = choicesFor(proposal.kind, proposal.regime);
  const all = [proposal.circle, proposal.openedSeq, choices, proposal.id, closes, proposal.topic];
  const kept = async () => ((await source.query(`SELECT 1 FROM proposal_population WHERE proposal = $1`, [proposal.id])) as unknown[]).length > 0;
  const second = side && (await kept()) ? await side() : null;
  let result: unknown[];
  if (second) {
    try {
      const [first, delegations] = await Promise.all([
        source.query(MEMBERS_AND_VOTES_SQL, all.slice(0, 5)) as Promise<unknown[]>,
        second.query(delegationsSql('$1', '$2', '$3', '$4'), [proposal.circle, closes, proposal.topic, proposal.id]) as Promise<unknown[]>,
      ]);
      result = [...first, ...delegations];
    } finally {
      await second.release();
    }
  } else {
    result = (await source.query(LOAD_SQL, all)) as unknown[];
  }
  const rows = result as Array<{
    part: number;
    list: string | null;
    topic: string | null;
    circle: string | null;
    top: number | null;
    count: number;
  }>;
  const part = (p: Part) => rows.find((r) => r.part === p) ?? { list: null, topic: null, circle: null, top: null, count: 0 };
  const t1 = now();

  // Eligible members: a number read twice (two overlapping membership rows) is indexed once.
  const snapshot = rows.find((r) => r.part === Part.Population);
  const members = snapshot ?? part(Part.Members);
  const top = members.top ?? -1;
  const indexOfNumber = new Int32Array(top + 1).fill(-1);
  const read = int32sFromBase64(members.list);
  const eligible = new Int32Array(snapshot ? members.count : read.length);
  let n = 0;
  const index = (num: number) => {
    if (!(num >= 0 && num <= top)) throw new RangeError(`loadTallyArrays: member number ${num} out of range`);
    if (indexOfNumber[num] === -1) {
      indexOfNumber[num] = n;
      eligible[n++] = num;
    }
  };
  if (snapshot) {
    for (let k = 0; k + 1 < read.length; k += 2) for (let num = read[k]; num <= read[k + 1]; num++) index(num);
    if (n !== members.count) throw new RangeError(`loadTallyArrays: the snapshot of ${proposal.id} holds ${n} members, not ${members.count}`);
  } else {
    for (let k = 0; k < read.length; k++) index(read[k]);
  }
  const numbers = eligible.subarray(0, n);
  const indexOf = (num: number) => (num >= 0 && num <= top ? indexOfNumber[num] : -1);
  const t2 = now();

  const choice = new Int8Array(n).fill(-1);
  const votes = int32sFromBase64(part(Part.Votes).list);
  if (choices.length >= OUTSIDE) throw new RangeError(`loadTallyArrays: ${choices.length} choices do not fit a vote's code`);
  for (let k = 0; k < votes.length; k++) {
    const voter = Math.floor(votes[k] / VOTE_CODES);
    const c = votes[k] % VOTE_CODES;
    const i = indexOf(voter);
    if (i === -1) continue;
    if (c >= choices.length) {
      const [row] = (await source.query(`SELECT member FROM circle_membership WHERE circle = $1 AND num = $2 LIMIT 1`, [proposal.circle, voter])) as Array<{
        member: string;
      }>;
      throw new RangeError(`choice of ${row?.member ?? `member number ${voter}`} is not one of ${choices.join(', ')}`);
    }
    choice[i] = c;
  }
  const t3 = now();

  // Effective delegates (as effectiveDelegates): the broadest scope first, so that narrower ones
  // overwrite it; a non-eligible delegate leaves her scope to the next broader one. A topic-scoped
  // delegation can only match a proposal that has a topic (as tallyProposal; the statement's
  // scope_value = NULL matches nothing).
  const delegate = new Int32Array(n).fill(NO_DELEGATE);
  const d = part(Part.Delegations);
  for (const list of [d.circle, d.topic, d.list]) {
    const pairs = int32sFromBase64(list);
    for (let k = 0; k + 1 < pairs.length; k += 2) {
      const i = indexOf(pairs[k]);
      const to = indexOf(pairs[k + 1]);
      if (i !== -1 && to !== NO_DELEGATE) delegate[i] = to;
    }
  }
  const t4 = now();

  const input: TallyCountInput = { proposal: proposal.id, kind: proposal.kind, regime: proposal.regime, params: proposal.params, choice, delegate };
  if (proposal.void !== undefined) input.void = proposal.void;
  return {
    input,
    numbers,
    circle: proposal.circle,
    timings: { queryMs: t1 - t0, membersMs: t2 - t1, votesMs: t3 - t2, delegationsMs: t4 - t3, totalMs: t4 - t0 },
    counts: { eligible: n, votes: part(Part.Votes).count, delegations: d.count },
  };
}

/** Below this many eligible members, the memberships are read at each tally (a few milliseconds). */
export const POPULATION_SNAPSHOT_MIN = 10_000;

/**
 * Keeps the eligible members of `proposal` (those of its circle at its opening, SPEC §5.1), if
 * there are at least `min`, as runs of consecutive member numbers (first, last: `dense_rank`
 * numbers the distinct members in order, so `num - rank` is constant along a run). Once the
 * proposal is open they can no longer change (the memberships before its opening entry are all
 * written; a later leave does not end an eligibility), so a snapshot taken any time after the
 * opening is exact. Idempotent: a retried or repeated job keeps the first. Returns how many
 * members it kept, 0 if it kept none.
 */
export async function snapshotPopulation(q: TallySource, proposal: string, min = POPULATION_SNAPSHOT_MIN): Promise<number> {
  const rows = (await q.query(
    `WITH eligible AS (
       SELECT m.num, m.num - dense_rank() OVER (ORDER BY m.num) AS run
         FROM proposal p
         JOIN circle_membership m ON m.circle = p.circle AND ${eligibleAtOpening('m', 'p.opened_seq')}
        WHERE p.id = $1 AND NOT EXISTS (SELECT 1 FROM proposal_population WHERE proposal = $1)),
     runs AS (SELECT min(num) AS first, max(num) AS last FROM eligible GROUP BY run)
     INSERT INTO proposal_population (proposal, runs, top, count)
     SELECT $1, string_agg(int4send(first) || int4send(last), '' ORDER BY first), max(last), sum(last - first + 1)::int
       FROM runs
     HAVING sum(last - first + 1) >= $2
     ON CONFLICT (proposal) DO NOTHING
     RETURNING count`,
    [proposal, min],
  )) as Array<{ count: number }>;
  return rows[0]?.count ?? 0;
}

/**
 * The `tally.result` body of what loadTallyArrays loaded: countArrays, then withIdsOfCycles.
 */
export async function tallyLoaded(q: TallySource, loaded: LoadedTallyArrays): Promise<TallyResultBody> {
  return withIdsOfCycles(q, loaded, countArrays(loaded.input));
}

/**
 * The cycles of a counted tally by member id: one read of the members in cycles (usually none),
 * as one aggregated row ("num member" pairs; ids are base64url, without spaces) rather than a row
 * object per member: 25,000 members in 2,500 cycles cost 160 ms as rows, mostly in node-pg. The
 * numbers go through a sub-select so that the planner plans for a few: given the 25,000 it chose
 * a (parallel) scan of all the circle's memberships (150–175 ms at a million members) over
 * 25,000 index probes (50–100 ms).
 */
export async function withIdsOfCycles(q: TallySource, loaded: LoadedTallyArrays, counted: CountedTally): Promise<TallyResultBody> {
  if (counted.cycles.length === 0) return withCycleIds(counted, () => undefined);
  const wanted = [...new Set(counted.cycles.flat().map((i) => loaded.numbers[i]))];
  const [row] = (await q.query(
    `SELECT string_agg(num::text || ' ' || member, ' ') AS pairs FROM circle_membership WHERE circle = $1 AND num = ANY((SELECT $2::int[])::int[])`,
    [loaded.circle, `{${wanted.join(',')}}`],
  )) as Array<{ pairs: string | null }>;
  const ids = new Map<number, string>();
  const words = (row?.pairs ?? '').split(' ');
  for (let k = 0; k + 1 < words.length; k += 2) ids.set(Number(words[k]), words[k + 1]);
  return withCycleIds(counted, (i) => ids.get(loaded.numbers[i]));
}
