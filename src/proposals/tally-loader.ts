// SPEC §5.1, §5.2 — the state at close of one proposal, loaded in bulk straight into the typed
// arrays `tallyArrays` takes, for huge circles (a million members and more).
//
// Same selection as ProposalsRepository.tallyInputs (eligible members frozen at opening, last votes
// recorded strictly before close, delegations in force at close), but without a JS object per row:
// each table comes back as ONE row of aggregated text (string_agg), split once, and member ids are
// mapped to indices with one Map. The three reads are independent and are issued together: on a
// DataSource they run on three pooled connections at once; on a transaction's EntityManager they
// simply queue on its connection.
import type { EntityManager } from 'typeorm';
import { NO_DELEGATE, NO_VOTE, effectiveDelegates, type ScopedTargets } from '../delegations/domain/resolve';
import { choicesFor, type TallyArraysInput } from './domain/tally';
import type { ProposalRow } from './proposals.repository';

type Queryable = Pick<EntityManager, 'query'>;

export type TallyLoaderProposal = Pick<ProposalRow, 'id' | 'circle' | 'openedSeq' | 'topic' | 'closesAt' | 'kind' | 'regime' | 'params'> & {
  /** Void amendments of an amendment-regime motion, passed through to the tally. */
  void?: readonly string[];
};

export interface TallyLoadTimings {
  /** Wall time of the three reads (issued together). */
  queryMs: number;
  /** Splitting the eligible list, checking its order, building the id → index Map. */
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

const SEP = '\n';
const now = () => performance.now();

/** Splits one aggregated text column; null (no rows) is an empty list. */
function splitAgg(text: string | null): string[] {
  return text === null || text === '' ? [] : text.split(SEP);
}

/**
 * Loads the eligible members, direct votes and effective delegates of `proposal` at `at` (default
 * its `closesAt`) as the input of `tallyArrays`. Member ids are sorted in plain string order
 * (UTF-16 code units, as `Array.prototype.sort`), duplicates removed. Member ids must not contain
 * a newline (they are base64url thumbprints, SPEC §3.2).
 */
export async function loadTallyArrays(q: Queryable, proposal: TallyLoaderProposal, at: number = proposal.closesAt): Promise<LoadedTallyArrays> {
  const t0 = now();
  const closes = new Date(at).toISOString();
  const choices = choicesFor(proposal.kind, proposal.regime);
  if (choices.length > 10) throw new RangeError('loadTallyArrays: at most 10 choices (one digit per vote)');

  const [eligibleRows, voteRows, delegationRows] = (await Promise.all([
    // The database's collation may not be code-unit order: sort with "C" (byte order of UTF-8 =
    // code point order, the same as UTF-16 order except for astral vs U+E000..U+FFFF; checked below).
    q.query(
      `SELECT string_agg(member, E'\\n' ORDER BY member COLLATE "C") AS members
         FROM circle_membership
        WHERE circle = $1 AND joined_seq < $2 AND (left_seq IS NULL OR left_seq > $2)`,
      [proposal.circle, proposal.openedSeq],
    ),
    // Two aggregates of one scan see the rows in the same order: member i has the code at i.
    // A choice outside the list becomes 'x' (an error only if the voter is eligible, as in choiceCodesById).
    q.query(
      `SELECT string_agg(member, E'\\n') AS members,
              string_agg(coalesce((array_position($3::text[], choice) - 1)::text, 'x'), '') AS codes,
              count(*)::int AS n
         FROM vote
        WHERE proposal = $1 AND choice IS NOT NULL AND recorded_at < $2`,
      [proposal.id, closes, choices],
    ),
    q.query(
      `SELECT scope_kind, string_agg(member, E'\\n') AS members, string_agg(delegate, E'\\n') AS delegates, count(*)::int AS n
         FROM delegation
        WHERE circle = $1 AND set_at < $2 AND (ended_at IS NULL OR ended_at >= $2)
          AND (scope_kind = 'circle'
               OR (scope_kind = 'topic' AND scope_value = $3::text)
               OR (scope_kind = 'proposal' AND scope_value = $4))
        GROUP BY scope_kind`,
      [proposal.circle, closes, proposal.topic, proposal.id],
    ),
  ])) as [
    Array<{ members: string | null }>,
    Array<{ members: string | null; codes: string | null; n: number }>,
    Array<{ scope_kind: 'circle' | 'topic' | 'proposal'; members: string; delegates: string; n: number }>,
  ];
  const t1 = now();

  // Eligible members: sorted by PostgreSQL; drop adjacent duplicates (a member with two
  // overlapping membership rows) and make sure the order is JS string order.
  let members = splitAgg(eligibleRows[0]?.members ?? null);
  let sorted = true;
  let dupes = false;
  for (let i = 1; i < members.length; i++) {
    const a = members[i - 1];
    const b = members[i];
    if (a === b) dupes = true;
    else if (a > b) {
      sorted = false;
      break;
    }
  }
  if (!sorted) members.sort();
  if (dupes || !sorted) members = members.filter((m, i) => i === 0 || m !== members[i - 1]);
  const n = members.length;
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) index.set(members[i], i);
  const t2 = now();

  const choice = new Int8Array(n).fill(NO_VOTE);
  const votes = voteRows[0] ?? { members: null, codes: null, n: 0 };
  const voters = splitAgg(votes.members);
  const codes = votes.codes ?? '';
  if (codes.length !== voters.length) throw new Error('loadTallyArrays: vote codes and voters differ in length');
  for (let k = 0; k < voters.length; k++) {
    const i = index.get(voters[k]);
    if (i === undefined) continue; // not eligible: ignored
    const c = codes.charCodeAt(k) - 48;
    if (c < 0 || c >= choices.length) throw new RangeError(`choice of ${voters[k]} is not one of ${choices.join(', ')}`);
    choice[i] = c;
  }
  const t3 = now();

  const targets: Required<ScopedTargets> = {
    proposal: new Int32Array(n).fill(NO_DELEGATE),
    topic: new Int32Array(n).fill(NO_DELEGATE),
    circle: new Int32Array(n).fill(NO_DELEGATE),
  };
  let delegationCount = 0;
  for (const row of delegationRows) {
    const from = splitAgg(row.members);
    const to = splitAgg(row.delegates);
    if (from.length !== to.length) throw new Error('loadTallyArrays: delegators and delegates differ in length');
    delegationCount += from.length;
    const target = targets[row.scope_kind];
    for (let k = 0; k < from.length; k++) {
      const i = index.get(from[k]);
      if (i === undefined) continue; // delegator not eligible
      const d = index.get(to[k]);
      if (d !== undefined) target[i] = d; // a non-eligible delegate leaves the scope empty
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
    counts: { eligible: n, votes: voters.length, delegations: delegationCount },
  };
}
