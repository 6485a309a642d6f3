// SPEC §5.1, §5.2 — the state at close of one proposal, loaded in bulk straight into the typed
// arrays `tallyArrays` takes, for huge circles (a million members and more).
//
// Same selection as ProposalsRepository.tallyInputs (eligible members frozen at opening, last votes
// recorded strictly before close, delegations in force at close), but without a JS object, string
// or Map entry per row: ONE statement returns each list as one row of aggregated text (plain
// string_agg, no sort, no join: PostgreSQL only scans, and may scan the three tables in parallel),
// and member-index.ts numbers the eligible ids inside those texts with a hash table of Int32Arrays.
// The numbering is first-seen order, arbitrary: totals do not depend on it and tallyArrays reports
// cycles by id, normalized.
//
// Numbering the members in PostgreSQL and shipping packed integers instead was measured first
// (docs/performance.md): its DISTINCT and three 1M-row hash joins on text took 3.3–4.8 s on their
// own, where these scans take ~0.5 s.
import type { EntityManager } from 'typeorm';
import { NO_DELEGATE, effectiveDelegates, type ScopedTargets } from '../delegations/domain/resolve';
import { choicesFor, type TallyArraysInput } from './domain/tally';
import { MemberIndex, countLines } from './member-index';
import type { ProposalRow } from './proposals.repository';

type Queryable = Pick<EntityManager, 'query'>;

export type TallyLoaderProposal = Pick<ProposalRow, 'id' | 'circle' | 'openedSeq' | 'topic' | 'closesAt' | 'kind' | 'regime' | 'params'> & {
  /** Void amendments of an amendment-regime motion, passed through to the tally. */
  void?: readonly string[];
};

export interface TallyLoadTimings {
  /** Wall time of the one statement (transfer and text decoding included). */
  queryMs: number;
  /** Numbering the eligible ids: the hash table. */
  membersMs: number;
  /** Direct votes into the `choice` array. */
  votesMs: number;
  /** Delegations into the per-scope target arrays. */
  delegationsMs: number;
  /** Scope precedence: effectiveDelegates. */
  effectiveMs: number;
  totalMs: number;
}

export interface LoadedTallyArrays {
  input: TallyArraysInput;
  timings: TallyLoadTimings;
  /** Row counts as read (before eligibility filtering of votes and delegations). */
  counts: { eligible: number; votes: number; delegations: number };
}

const now = () => performance.now();

const Part = { Members: 0, Votes: 1, Proposal: 2, Topic: 3, Circle: 4 } as const;
type Part = (typeof Part)[keyof typeof Part];
const SCOPES = [
  [Part.Proposal, 'proposal'],
  [Part.Topic, 'topic'],
  [Part.Circle, 'circle'],
] as const;

// One statement, so one snapshot. Each list is a separate row (a separate protocol message, so no
// single 100 MB buffer) and a plain aggregate (no grouping that could sort or spill). Two
// aggregates of one scan see the rows in the same order: line k of `a` goes with line (or
// character) k of `b`. A choice outside the list becomes 'x' (an error only if the voter is
// eligible, as in choiceCodesById).
const LOAD_SQL = `
  SELECT ${Part.Members} AS part, string_agg(member, E'\\n') AS a, NULL::text AS b
    FROM circle_membership
   WHERE circle = $1 AND joined_seq < $2 AND (left_seq IS NULL OR left_seq > $2)
  UNION ALL
  SELECT ${Part.Votes}, string_agg(member, E'\\n'), string_agg(coalesce((array_position($3::text[], choice) - 1)::text, 'x'), '')
    FROM vote
   WHERE proposal = $4 AND choice IS NOT NULL AND recorded_at < $5
  UNION ALL
  SELECT ${Part.Proposal}, string_agg(member, E'\\n'), string_agg(delegate, E'\\n')
    FROM delegation
   WHERE circle = $1 AND set_at < $5 AND (ended_at IS NULL OR ended_at >= $5) AND scope_kind = 'proposal' AND scope_value = $4
  UNION ALL
  SELECT ${Part.Topic}, string_agg(member, E'\\n'), string_agg(delegate, E'\\n')
    FROM delegation
   WHERE circle = $1 AND set_at < $5 AND (ended_at IS NULL OR ended_at >= $5) AND scope_kind = 'topic' AND scope_value = $6::text
  UNION ALL
  SELECT ${Part.Circle}, string_agg(member, E'\\n'), string_agg(delegate, E'\\n')
    FROM delegation
   WHERE circle = $1 AND set_at < $5 AND (ended_at IS NULL OR ended_at >= $5) AND scope_kind = 'circle'`;

/**
 * Loads the eligible members, direct votes and effective delegates of `proposal` at `at` (default
 * its `closesAt`) as the input of `tallyArrays`. Members are numbered in no particular order;
 * `input.members` gives the id of an index on demand. Member ids must not contain a newline
 * (they are base64url thumbprints, SPEC §3.2). Works on a DataSource or inside a transaction's
 * EntityManager alike (one read-only statement).
 */
export async function loadTallyArrays(q: Queryable, proposal: TallyLoaderProposal, at: number = proposal.closesAt): Promise<LoadedTallyArrays> {
  const t0 = now();
  const closes = new Date(at).toISOString();
  const choices = choicesFor(proposal.kind, proposal.regime);
  if (choices.length > 10) throw new RangeError('loadTallyArrays: at most 10 choices (one digit per vote)');

  const rows = (await q.query(LOAD_SQL, [proposal.circle, proposal.openedSeq, choices, proposal.id, closes, proposal.topic])) as Array<{
    part: number;
    a: string | null;
    b: string | null;
  }>;
  const part = (p: Part) => rows.find((r) => r.part === p) ?? { a: null, b: null };
  const t1 = now();

  // Eligible members: duplicates (a member with two overlapping membership rows) are numbered once.
  const eligibleText = part(Part.Members).a ?? '';
  const members = new MemberIndex(countLines(eligibleText));
  members.addLines(eligibleText);
  const n = members.length;
  const t2 = now();

  const choice = new Int8Array(n).fill(-1);
  const votes = part(Part.Votes);
  const voters = votes.a ?? '';
  const codes = votes.b ?? '';
  let voteCount = 0;
  for (let start = 0; voters !== ''; ) {
    const nl = voters.indexOf('\n', start);
    const end = nl === -1 ? voters.length : nl;
    const k = voteCount++;
    const i = members.indexOf(voters, start, end);
    if (i !== -1) {
      const c = codes.charCodeAt(k) - 48;
      if (!(c >= 0 && c < choices.length)) throw new RangeError(`choice of ${voters.slice(start, end)} is not one of ${choices.join(', ')}`);
      choice[i] = c;
    }
    if (nl === -1) break;
    start = nl + 1;
  }
  if (codes.length !== voteCount) throw new Error('loadTallyArrays: vote codes and voters differ in length');
  const t3 = now();

  const targets: Required<ScopedTargets> = {
    proposal: new Int32Array(n).fill(NO_DELEGATE),
    topic: new Int32Array(n).fill(NO_DELEGATE),
    circle: new Int32Array(n).fill(NO_DELEGATE),
  };
  let delegationCount = 0;
  for (const [p, scope] of SCOPES) {
    const row = part(p);
    const from = row.a ?? '';
    const to = row.b ?? '';
    const target = targets[scope];
    if (from === '') continue;
    let fs = 0;
    let ts = 0;
    for (;;) {
      const fnl = from.indexOf('\n', fs);
      const tnl = to.indexOf('\n', ts);
      if ((fnl === -1) !== (tnl === -1)) throw new Error('loadTallyArrays: delegators and delegates differ in length');
      const fe = fnl === -1 ? from.length : fnl;
      const te = tnl === -1 ? to.length : tnl;
      delegationCount++;
      const i = members.indexOf(from, fs, fe);
      if (i !== -1) {
        const d = members.indexOf(to, ts, te);
        if (d !== -1) target[i] = d; // a non-eligible delegate leaves the scope empty
      }
      if (fnl === -1) break;
      fs = fnl + 1;
      ts = tnl + 1;
    }
  }
  const t4 = now();

  // A topic-scoped delegation can only match a proposal that has a topic (as tallyProposal).
  const delegate = effectiveDelegates(n, proposal.topic === null ? { proposal: targets.proposal, circle: targets.circle } : targets);
  const t5 = now();

  const input: TallyArraysInput = {
    proposal: proposal.id,
    kind: proposal.kind,
    regime: proposal.regime,
    params: proposal.params,
    members,
    choice,
    delegate,
  };
  if (proposal.void !== undefined) input.void = proposal.void;
  return {
    input,
    timings: { queryMs: t1 - t0, membersMs: t2 - t1, votesMs: t3 - t2, delegationsMs: t4 - t3, effectiveMs: t5 - t4, totalMs: t5 - t0 },
    counts: { eligible: n, votes: voteCount, delegations: delegationCount },
  };
}
