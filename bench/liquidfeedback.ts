// LiquidFeedback side by side for `bench:tally` (LF_CORE_SQL=/path/to/core.sql): installs the
// LiquidFeedback core schema from the file the operator gives into a database of its own, loads
// the delegation graph that bench:tally generated for Archipel into it, and closes the voting the
// way LiquidFeedback does (its own check_issue → close_voting → add_vote_delegations →
// weight_of_added_vote_delegations, then calculate_ranks). Nothing of LiquidFeedback is in this
// repository: its SQL (MIT licence) is read from the operator's path at run time.
//
// Written against LiquidFeedback core 2.2.3. Two expressions of that version no longer parse as
// meant on PostgreSQL ≥ 9.5, where `=` binds tighter than ISNULL/NOTNULL; they are parenthesized
// at load time (see ADAPTATIONS), the file itself is not changed.
import { readFileSync } from 'node:fs';
import type { Client } from 'pg';

/** Text substitutions applied to core.sql before it is run; each must match at least once. */
const ADAPTATIONS: Array<{ why: string; from: RegExp; to: string }> = [
  {
    why: 'policy CHECK "issue_quorum_if_and_only_if_not_polling": "polling" = "issue_quorum_num" ISNULL means "polling" = ("issue_quorum_num" ISNULL)',
    from: /"polling" = ("issue_quorum_(?:num|den)") ISNULL/g,
    to: '"polling" = ($1 ISNULL)',
  },
  {
    why: 'CHECKs of the form (a NOTNULL = b NOTNULL) on issue and initiative',
    from: /\(("[a-z_]+") NOTNULL = ("[a-z_]+") NOTNULL\)/g,
    to: '(($1 NOTNULL) = ($2 NOTNULL))',
  },
];

export interface LiquidFeedbackInstall {
  version: string;
  adaptations: string[];
}

/** Runs the operator's core.sql (adapted) in `lf`, an empty database. */
export async function installLiquidFeedback(lf: Client, path: string): Promise<LiquidFeedbackInstall> {
  let sql = readFileSync(path, 'utf8');
  for (const a of ADAPTATIONS) {
    if (!a.from.test(sql)) throw new Error(`LF_CORE_SQL ${path}: expected text not found (${a.why}); is this LiquidFeedback core 2.2.x?`);
    a.from.lastIndex = 0;
    sql = sql.replace(a.from, a.to);
  }
  await lf.query(sql);
  const [{ string }] = (await lf.query(`SELECT "string" FROM "liquid_feedback_version"`)).rows as Array<{ string: string }>;
  return { version: string, adaptations: ADAPTATIONS.map((a) => a.why) };
}

/** The graph at close as Archipel's rules select it, by member number (LF member id = number + 1). */
export interface GraphAtClose {
  /** Every member number of the circle (eligible or not). */
  members: number[];
  /** Eligible member numbers: LF privilege with voting_right in the unit. */
  eligible: number[];
  /** Votes recorded before close, of any member of the circle: number and choice. */
  votes: Array<{ num: number; choice: string }>;
  /** Delegations in force at close: circle → unit, the proposal's topic → area, the proposal → issue. */
  delegations: Array<{ num: number; delegate: number; scope: 'unit' | 'area' | 'issue' }>;
}

/**
 * Reads the graph from Archipel's tables. What "in force" means in time (set before close, not
 * ended before it) and which topic or proposal a delegation names are Archipel's (they have no
 * LF counterpart), as is the rule that a delegation to a non-eligible delegate is not in force
 * (LF has none: its chain would simply end there, and a broader delegation would not apply), so
 * such delegations are left out. Non-eligible delegators and non-eligible voters are loaded: LF
 * drops them itself (privilege, close_voting).
 */
export async function readGraphAtClose(
  archipel: Client,
  p: { circle: string; openedSeq: number; proposal: string; topic: string; closesAt: string },
): Promise<GraphAtClose> {
  const q = async <T>(sql: string, params: unknown[]) => (await archipel.query(sql, params)).rows as T[];
  const members = (await q<{ num: number }>(`SELECT DISTINCT num FROM circle_membership WHERE circle = $1`, [p.circle])).map((r) => r.num);
  const eligible = (
    await q<{ num: number }>(`SELECT DISTINCT num FROM circle_membership WHERE circle = $1 AND joined_seq < $2 AND (left_seq IS NULL OR left_seq > $2)`, [
      p.circle,
      p.openedSeq,
    ])
  ).map((r) => r.num);
  const votes = await q<{ num: number; choice: string }>(
    `SELECT member_num AS num, choice FROM vote WHERE proposal = $1 AND choice IS NOT NULL AND recorded_at < $2 AND member_num IS NOT NULL`,
    [p.proposal, p.closesAt],
  );
  const delegations = await q<GraphAtClose['delegations'][number]>(
    `SELECT d.member_num AS num, d.delegate_num AS delegate,
            CASE d.scope_kind WHEN 'circle' THEN 'unit' WHEN 'topic' THEN 'area' ELSE 'issue' END AS scope
       FROM delegation d
      WHERE d.circle = $1 AND d.set_at < $2 AND (d.ended_at IS NULL OR d.ended_at >= $2)
        AND (d.scope_kind = 'circle' OR (d.scope_kind = 'topic' AND d.scope_value = $3) OR (d.scope_kind = 'proposal' AND d.scope_value = $4))
        AND d.member_num IS NOT NULL
        AND EXISTS (SELECT 1 FROM circle_membership m
                     WHERE m.circle = $1 AND m.num = d.delegate_num AND m.joined_seq < $5 AND (m.left_seq IS NULL OR m.left_seq > $5))`,
    [p.circle, p.closesAt, p.topic, p.proposal, p.openedSeq],
  );
  return { members, eligible, votes, delegations };
}

const CHOICE_GRADE: Record<string, number | null> = { yes: 1, no: -1, abstain: null };

/**
 * Loads the graph into LF: one unit, one area, one policy, one issue in voting whose voting time
 * is over, one initiative (yes = grade 1, no = grade -1, abstain = a direct voter without a vote
 * row), members active, privilege with voting right for the eligible ones. Then ANALYZE, as a
 * running LF would have statistics.
 */
export async function loadIntoLiquidFeedback(lf: Client, g: GraphAtClose): Promise<void> {
  await lf.query('BEGIN');
  await lf.query(`INSERT INTO "unit" ("id", "name") VALUES (1, 'bench')`);
  await lf.query(`INSERT INTO "area" ("id", "unit_id", "name") VALUES (1, 1, 'budget')`);
  await lf.query(
    `INSERT INTO "policy" ("id", "index", "name", "admission_time", "discussion_time", "verification_time", "voting_time",
                           "issue_quorum_num", "issue_quorum_den", "initiative_quorum_num", "initiative_quorum_den")
     VALUES (1, 1, 'bench', '1 day', '1 day', '1 day', '1 day', 0, 1, 0, 1)`,
  );
  await lf.query(
    `INSERT INTO "member" ("id", "active", "activated", "last_activity", "name")
     SELECT n + 1, TRUE, now(), current_date, 'm' || n FROM unnest($1::int[]) n`,
    [g.members],
  );
  await lf.query(`INSERT INTO "privilege" ("unit_id", "member_id", "voting_right") SELECT 1, n + 1, TRUE FROM unnest($1::int[]) n`, [g.eligible]);
  // Voting started two days ago with a voting time of one day: check_issue finds the phase over.
  await lf.query(
    `INSERT INTO "issue" ("id", "area_id", "policy_id", "state", "created", "accepted", "half_frozen", "fully_frozen", "snapshot", "latest_snapshot_event")
     VALUES (1, 1, 1, 'voting', now() - '5 days'::interval, now() - '4 days'::interval, now() - '3 days'::interval,
             now() - '2 days'::interval, now() - '2 days'::interval, 'full_freeze')`,
  );
  await lf.query(`INSERT INTO "initiative" ("id", "issue_id", "name", "admitted") VALUES (1, 1, 'bench', TRUE)`);
  await lf.query(`INSERT INTO "draft" ("initiative_id", "author_id", "content") VALUES (1, $1, 'bench')`, [g.members[0] + 1]);
  await lf.query(`INSERT INTO "direct_voter" ("issue_id", "member_id") SELECT 1, n + 1 FROM unnest($1::int[]) n`, [g.votes.map((v) => v.num)]);
  const graded = g.votes.filter((v) => CHOICE_GRADE[v.choice] != null);
  await lf.query(`INSERT INTO "vote" ("issue_id", "initiative_id", "member_id", "grade") SELECT 1, 1, n + 1, grade FROM unnest($1::int[], $2::int[]) AS t(n, grade)`, [
    graded.map((v) => v.num),
    graded.map((v) => CHOICE_GRADE[v.choice]),
  ]);
  await lf.query(
    `INSERT INTO "delegation" ("truster_id", "trustee_id", "scope", "unit_id", "area_id", "issue_id")
     SELECT m + 1, d + 1, s::"delegation_scope",
            CASE WHEN s = 'unit' THEN 1 END, CASE WHEN s = 'area' THEN 1 END, CASE WHEN s = 'issue' THEN 1 END
       FROM unnest($1::int[], $2::int[], $3::text[]) AS t(m, d, s)`,
    [g.delegations.map((d) => d.num), g.delegations.map((d) => d.delegate), g.delegations.map((d) => d.scope)],
  );
  await lf.query('COMMIT');
  await lf.query('ANALYZE');
}

export interface LiquidFeedbackClose {
  /** Each check_issue call (as lf_update / check_everything make them, one transaction each). */
  steps: Array<{ ms: number; step: string }>;
  totalMs: number;
  /** Direct voters after close: member number → weight (own 1 + delegated). */
  weights: Map<number, number>;
  totals: { Y: number; N: number; A: number; voters: number };
  delegatingVoters: number;
}

/**
 * Closes issue 1 as LiquidFeedback's own update loop does: check_issue repeatedly, each call in
 * a REPEATABLE READ transaction (check_issue requires it), until it returns NULL. The calls are:
 * phase finished, close_voting (the weight computation), calculate_ranks.
 */
export async function closeVotingLiquidFeedback(lf: Client): Promise<LiquidFeedbackClose> {
  // LF walks a delegation chain by recursion (one PL/pgSQL call per hop): give it the deepest
  // stack PostgreSQL allows under the usual 8 MB stack limit (the default, 2 MB, fails at a few
  // hundred hops).
  await lf.query(`SET max_stack_depth = '${process.env.LF_MAX_STACK_DEPTH ?? '7MB'}'`);
  const names = ['phase finished', 'close_voting (weights)', 'calculate_ranks'];
  const steps: LiquidFeedbackClose['steps'] = [];
  let persist: string | null = null;
  const t0 = performance.now();
  do {
    const t = performance.now();
    await lf.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    const result: { rows: Array<{ p: string | null }> } = await lf.query(`SELECT "check_issue"(1, $1::"check_issue_persistence")::text AS p`, [persist]);
    await lf.query('COMMIT');
    persist = result.rows[0].p;
    steps.push({ ms: performance.now() - t, step: names[steps.length] ?? `step ${steps.length + 1}` });
    if (steps.length > 10) throw new Error('LiquidFeedback check_issue did not finish in 10 calls');
  } while (persist !== null);
  const totalMs = performance.now() - t0;
  const { rows: voters } = await lf.query(`SELECT "member_id" - 1 AS num, "weight" FROM "direct_voter" WHERE "issue_id" = 1`);
  const [issue] = (await lf.query(`SELECT "state", "voter_count" FROM "issue" WHERE "id" = 1`)).rows as Array<{ state: string; voter_count: number }>;
  const [ini] = (await lf.query(`SELECT "positive_votes", "negative_votes" FROM "initiative" WHERE "id" = 1`)).rows as Array<{
    positive_votes: number;
    negative_votes: number;
  }>;
  const [{ n }] = (await lf.query(`SELECT count(*)::int AS n FROM "delegating_voter" WHERE "issue_id" = 1`)).rows as Array<{ n: number }>;
  if (!issue.state.startsWith('finished')) throw new Error(`LiquidFeedback issue not finished: ${issue.state}`);
  return {
    steps,
    totalMs,
    weights: new Map((voters as Array<{ num: number; weight: number }>).map((r) => [r.num, r.weight])),
    totals: { Y: ini.positive_votes, N: ini.negative_votes, A: issue.voter_count - ini.positive_votes - ini.negative_votes, voters: issue.voter_count },
    delegatingVoters: n,
  };
}
