// The only code that writes the proposal, vote and delegation tables; reads them too, with the bulk
// tally loader beside it (tally-loader.ts).
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { PlacedEffect } from '../ledger/effect-projector';
import type { ProposalRow } from './proposal-row';
import { unzipPairs, type LoadedDelegation, type StateNeeds } from '../core/rules/batch-state';
import type { Effect, ProposalState, Scope, ScopeKind } from '../core/rules/state';
import { loadTallyArrays, sideConnectionOf, snapshotPopulation, tallyLoaded, type LoadedTallyArrays, type TallyLoaderProposal } from './tally-loader';
import type { TallyResultBody } from '../core/governance/tally';

type Queryable = Pick<EntityManager, 'query'>;

export interface AmendmentRow {
  id: string;
  find: string;
  replace: string;
  outcome: string | null;
  openedSeq: number;
}

export type { ProposalRow };

/** Everything a tally needs, in bulk (SPEC §5.1: state at close). */
export interface TallyInputs {
  eligible: string[];
  votes: Map<string, string>;
  delegations: Map<string, { proposal?: string; topic?: string; circle?: string }>;
}

const PROPOSAL_COLUMNS = `id, circle, kind, title, text, topic, regime, params, opened_seq, opened_at, opened_by, closes_at,
  amendments_close_at, body, result`;

@Injectable()
export class ProposalsRepository {
  constructor(private readonly ds: DataSource) {}

  /** The proposals, eligibility, standing votes and current delegations a batch may look up. */
  async load(q: Queryable, needs: StateNeeds) {
    if (!needs.proposals.size && !needs.delegations.size) return {};
    const [eligibilityProposals, eligibilityMembers] = unzipPairs(needs.eligibility);
    const [voteProposals, voteMembers] = unzipPairs(needs.votes);
    const [delegationCircles, delegationMembers] = unzipPairs(needs.delegations);
    const [row] = await q.query(
      `SELECT
         (SELECT coalesce(json_agg(p.*), '[]') FROM (SELECT ${PROPOSAL_COLUMNS} FROM proposal WHERE id = ANY($1::text[])) p) AS proposals,
         (SELECT coalesce(json_agg(json_build_array(e.proposal, e.member)), '[]')
            FROM unnest($2::text[], $3::text[]) AS e(proposal, member)
            JOIN proposal p ON p.id = e.proposal
           WHERE EXISTS (SELECT 1 FROM circle_membership m WHERE m.circle = p.circle AND m.member = e.member
                           AND m.joined_seq < p.opened_seq AND (m.left_seq IS NULL OR m.left_seq > p.opened_seq))) AS eligibility,
         (SELECT coalesce(json_agg(json_build_array(v.proposal, v.member)), '[]')
            FROM vote v JOIN unnest($4::text[], $5::text[]) AS k(proposal, member) ON v.proposal = k.proposal AND v.member = k.member
           WHERE v.choice IS NOT NULL) AS votes,
         (SELECT coalesce(json_agg(json_build_object('circle', d.circle, 'member', d.member, 'kind', d.scope_kind, 'value', d.scope_value, 'delegate', d.delegate)), '[]')
            FROM delegation d JOIN unnest($6::text[], $7::text[]) AS k(circle, member) ON d.circle = k.circle AND d.member = k.member
           WHERE d.ended_seq IS NULL) AS delegations`,
      [[...needs.proposals], eligibilityProposals, eligibilityMembers, voteProposals, voteMembers, delegationCircles, delegationMembers],
    );
    return {
      proposals: (row.proposals as RawProposal[]).map((r) => toState(toRow(r))),
      eligibility: row.eligibility as Array<[string, string]>,
      votes: row.votes as Array<[string, string]>,
      delegations: (row.delegations as Array<{ circle: string; member: string; kind: ScopeKind; value: string; delegate: string }>).map(
        (d): LoadedDelegation => ({ circle: d.circle, member: d.member, scope: { kind: d.kind, value: d.value }, delegate: d.delegate }),
      ),
    };
  }

  /**
   * Persist a run of effects of one kind (see statements/projections.ts). Every query is issued
   * before this returns, none awaits another (the writer's COMMIT follows them in the same flight).
   */
  applyRun(m: EntityManager, run: PlacedEffect[]): Promise<unknown> {
    const of = <K extends Effect['kind']>(_kind: K) => run.map((p) => p.effect as Extract<Effect, { kind: K }>);
    const seqs = run.map((p) => p.seq);
    const iso = (ms: number) => new Date(ms).toISOString();
    switch (run[0].effect.kind) {
      case 'proposal.opened':
        return Promise.all(
          of('proposal.opened').map(({ proposal: p }, i) =>
            m.query(
            `INSERT INTO proposal (id, circle, opened_seq, opened_at, opened_by, kind, title, text, topic, regime, params, closes_at, amendments_close_at, body)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
            [p.id, p.circle, seqs[i], iso(p.openedAt), p.openedBy, p.kind, p.title, p.text, p.topic, p.regime, JSON.stringify(p.params), iso(p.closesAt),
              p.amendmentsCloseAt === null ? null : iso(p.amendmentsCloseAt), JSON.stringify(p.body)],
            ),
          ),
        );
      case 'vote.set': {
        // A member may vote twice on one proposal within a batch: only her later vote is written
        // (as one at a time would leave it), since one INSERT … ON CONFLICT may not touch a row twice.
        const all = of('vote.set');
        const lastOf = new Map<string, number>();
        all.forEach((e, i) => lastOf.set(`${e.proposal} ${e.member}`, i));
        const kept = [...lastOf.values()].sort((a, b) => a - b);
        const es = kept.map((i) => all[i]);
        const voteSeqs = kept.map((i) => seqs[i]);
        return m.query(
          `INSERT INTO vote (proposal, member, choice, reason, seq, recorded_at)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::timestamptz[])
           ON CONFLICT (proposal, member) DO UPDATE SET choice = EXCLUDED.choice, reason = EXCLUDED.reason, seq = EXCLUDED.seq,
             recorded_at = EXCLUDED.recorded_at`,
          [es.map((e) => e.proposal), es.map((e) => e.member), es.map((e) => e.choice), es.map((e) => e.reason), voteSeqs, es.map((e) => iso(e.at))],
        );
      }
      case 'delegation.set':
        // One statement after the other, in order on the connection: a member may replace her
        // delegation of one scope twice in a batch.
        return Promise.all(
          of('delegation.set').flatMap((e, i) => [
            this.endDelegations(m, e.circle, e.member, e.scope, seqs[i], e.at),
            m.query(
              `INSERT INTO delegation (circle, member, scope_kind, scope_value, delegate, set_seq, set_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
              [e.circle, e.member, e.scope.kind, e.scope.value, e.delegate, seqs[i], iso(e.at)],
            ),
          ]),
        );
      case 'delegation.ended':
        return Promise.all(of('delegation.ended').map((e, i) => this.endDelegations(m, e.circle, e.member, e.scope, seqs[i], e.at)));
      case 'delegations.to.lapsed':
        return Promise.all(
          of('delegations.to.lapsed').map((e, i) =>
            m.query(`UPDATE delegation SET ended_seq = $3, ended_at = $4 WHERE circle = $1 AND delegate = ANY($2::text[]) AND ended_seq IS NULL`, [
              e.circle,
              e.delegates,
              seqs[i],
              iso(e.at),
            ]),
          ),
        );
      case 'delegations.lapsed':
        return Promise.all(of('delegations.lapsed').map((e, i) => this.endDelegations(m, e.circle, e.member, null, seqs[i], e.at)));
      case 'proposal.closed':
        // The state check upstream makes a second tally impossible; the database makes it certain
        // (trigger proposal_closed_once: a second close fails the transaction).
        return Promise.all(
          of('proposal.closed').map((e, i) =>
            m.query(`UPDATE proposal SET result = $2, closed_seq = $3 WHERE id = $1`, [e.proposal, JSON.stringify(e.result), seqs[i]]),
          ),
        );
      default:
        throw new Error(`ProposalsRepository cannot apply ${run[0].effect.kind}`); // thrown, before the COMMIT is sent
    }
  }

  private endDelegations(m: EntityManager, circle: string, member: string, scope: Scope | null, seq: number, at: number): Promise<unknown> {
    return m.query(
      `UPDATE delegation SET ended_seq = $3, ended_at = $4
       WHERE circle = $1 AND member = $2 AND ended_seq IS NULL AND ($5::text IS NULL OR (scope_kind = $5 AND scope_value = $6))`,
      [circle, member, seq, new Date(at).toISOString(), scope?.kind ?? null, scope?.value ?? ''],
    );
  }

  async proposal(id: string, q: Queryable = this.ds): Promise<ProposalRow | null> {
    const [row] = await q.query(`SELECT ${PROPOSAL_COLUMNS} FROM proposal WHERE id = $1`, [id]);
    return row ? toRow(row) : null;
  }

  /**
   * Direct votes at close with this choice, by members still in the circle (who leave in a fork),
   * in plain code-unit order of their ids whatever the database's collation (as the replay sorts).
   */
  async directVotersStillMembers(p: ProposalRow, choice: string, q: Queryable = this.ds): Promise<string[]> {
    const rows: Array<{ member: string }> = await q.query(
      `SELECT v.member FROM vote v JOIN circle_membership m ON m.circle = $2 AND m.member = v.member AND m.left_seq IS NULL
       WHERE v.proposal = $1 AND v.choice = $3 AND v.recorded_at < $4 ORDER BY v.member COLLATE "C"`,
      [p.id, p.circle, choice, new Date(p.closesAt).toISOString()],
    );
    return rows.map((r) => r.member);
  }

  async closedSeq(id: string): Promise<number | null> {
    const [row] = await this.ds.query(`SELECT closed_seq FROM proposal WHERE id = $1`, [id]);
    return row?.closed_seq == null ? null : Number(row.closed_seq);
  }

  async ratificationExists(q: Queryable, circle: string, proposal: string): Promise<boolean> {
    const rows = await q.query(
      `SELECT 1 FROM proposal WHERE body -> 'ratifies' ->> 'circle' = $1 AND body -> 'ratifies' ->> 'proposal' = $2`,
      [circle, proposal],
    );
    return rows.length > 0;
  }

  /** A motion's amendments in opening order, with their outcome once tallied (SPEC §5.3). */
  async amendmentsOf(motion: string, q: Queryable = this.ds): Promise<AmendmentRow[]> {
    return (await this.amendmentsOfMotions([motion], q)).get(motion) ?? [];
  }

  /** The amendments of several motions in one query, per motion in opening order. */
  async amendmentsOfMotions(motions: string[], q: Queryable = this.ds): Promise<Map<string, AmendmentRow[]>> {
    const out = new Map<string, AmendmentRow[]>();
    if (!motions.length) return out;
    const rows: Array<{ id: string; body: { target: string; find: string; replace: string }; result: { outcome: string } | null; opened_seq: string }> =
      await q.query(
        `SELECT id, body, result, opened_seq FROM proposal WHERE kind = 'amendment' AND body ->> 'target' = ANY($1::text[]) ORDER BY opened_seq`,
        [motions],
      );
    for (const r of rows) {
      const list = out.get(r.body.target) ?? [];
      list.push({ id: r.id, find: r.body.find, replace: r.body.replace, outcome: r.result?.outcome ?? null, openedSeq: Number(r.opened_seq) });
      out.set(r.body.target, list);
    }
    return out;
  }

  /**
   * A page of a circle's proposals, newest first (opened_seq descending, unique within a circle, so
   * the cursor `before` — the last opened_seq seen — is stable while new proposals arrive).
   */
  async page(
    circle: string,
    filter: { status?: 'amending' | 'open' | 'closed'; kind?: string; before?: number; limit: number; now: number },
  ): Promise<ProposalRow[]> {
    const rows: RawProposal[] = await this.ds.query(
      `SELECT ${PROPOSAL_COLUMNS} FROM proposal
        WHERE circle = $1
          AND ($2::bigint IS NULL OR opened_seq < $2)
          AND ($3::text IS NULL OR kind = $3)
          AND CASE $4::text
                WHEN 'closed' THEN result IS NOT NULL
                WHEN 'amending' THEN result IS NULL AND amendments_close_at > $5
                WHEN 'open' THEN result IS NULL AND (amendments_close_at IS NULL OR amendments_close_at <= $5)
                ELSE true
              END
        ORDER BY opened_seq DESC
        LIMIT $6`,
      [circle, filter.before ?? null, filter.kind ?? null, filter.status ?? null, new Date(filter.now).toISOString(), filter.limit],
    );
    return rows.map(toRow);
  }

  async openIds(circle: string): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.ds.query(`SELECT id FROM proposal WHERE circle = $1 AND result IS NULL ORDER BY opened_seq`, [circle]);
    return rows.map((r) => r.id);
  }

  /** Proposals without a tally, oldest deadline first (re-created as jobs on worker start). */
  async pending(limit: number): Promise<Array<{ id: string; closesAt: number }>> {
    const rows: Array<{ id: string; closes_at: Date }> = await this.ds.query(
      `SELECT id, closes_at FROM proposal WHERE result IS NULL ORDER BY closes_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ id: r.id, closesAt: r.closes_at.getTime() }));
  }

  /**
   * SPEC §5.1: the eligible members (frozen at opening), their last votes, and the delegations in
   * force at `at` (recorded strictly before it) — three bulk reads, no log replay.
   */
  async tallyInputs(p: ProposalRow, at: number, q: Queryable = this.ds): Promise<TallyInputs> {
    const eligibleRows: Array<{ member: string }> = await q.query(
      `SELECT DISTINCT member FROM circle_membership
       WHERE circle = $1 AND joined_seq < $2 AND (left_seq IS NULL OR left_seq > $2)`,
      [p.circle, p.openedSeq],
    );
    const voteRows: Array<{ member: string; choice: string }> = await q.query(
      `SELECT member, choice FROM vote WHERE proposal = $1 AND choice IS NOT NULL AND recorded_at < $2`,
      [p.id, new Date(at).toISOString()],
    );
    const delegationRows: Array<{ member: string; scope_kind: ScopeKind; delegate: string }> = await q.query(
      `SELECT member, scope_kind, delegate FROM delegation
       WHERE circle = $1 AND set_at < $2 AND (ended_at IS NULL OR ended_at >= $2)
         AND ((scope_kind = 'circle') OR (scope_kind = 'topic' AND scope_value = $3) OR (scope_kind = 'proposal' AND scope_value = $4))`,
      // A proposal without a topic matches no topic-scoped delegation (NULL equals nothing).
      [p.circle, new Date(at).toISOString(), p.topic, p.id],
    );
    const delegations = new Map<string, { proposal?: string; topic?: string; circle?: string }>();
    for (const d of delegationRows) {
      const entry = delegations.get(d.member) ?? {};
      entry[d.scope_kind] = d.delegate;
      delegations.set(d.member, entry);
    }
    return {
      eligible: eligibleRows.map((r) => r.member).sort(),
      votes: new Map(voteRows.map((v) => [v.member, v.choice])),
      delegations,
    };
  }

  /**
   * SPEC §5.1: the same state at close as tallyInputs, as the typed arrays of countArrays (one
   * statement of member numbers: see tally-loader.ts). With `m`, read inside that transaction;
   * `closing` (a close, under its circle's lock) lets a big circle's delegations be read on a
   * second connection meanwhile.
   */
  tallyArrays(p: TallyLoaderProposal, at: number, m?: EntityManager, closing = false): Promise<LoadedTallyArrays> {
    return loadTallyArrays(m ?? this.ds, p, at, closing ? () => sideConnectionOf(this.ds) : undefined);
  }

  /** Keeps a big circle's members at the opening of `proposal` for its tallies (tally-loader.ts); how many, 0 for none. */
  snapshotPopulation(proposal: string): Promise<number> {
    return snapshotPopulation(this.ds, proposal);
  }

  /** The tally.result body of what tallyArrays loaded: countArrays, then the ids of cycle members read on `m`. */
  tallyLoaded(loaded: LoadedTallyArrays, m?: EntityManager): Promise<TallyResultBody> {
    return tallyLoaded(m ?? this.ds, loaded);
  }

  /** Current delegations of a circle (optionally only those relevant to one proposal). */
  async currentDelegations(circle: string): Promise<Array<{ member: string; scope: Scope; delegate: string; since: string }>> {
    const rows: Array<{ member: string; scope_kind: ScopeKind; scope_value: string; delegate: string; set_at: Date }> = await this.ds.query(
      `SELECT member, scope_kind, scope_value, delegate, set_at FROM delegation WHERE circle = $1 AND ended_seq IS NULL ORDER BY member, scope_kind, scope_value`,
      [circle],
    );
    return rows.map((r) => ({ member: r.member, scope: { kind: r.scope_kind, value: r.scope_value }, delegate: r.delegate, since: r.set_at.toISOString() }));
  }

  async delegationsOfMember(member: string) {
    const rows: Array<{ circle: string; member: string; scope_kind: ScopeKind; scope_value: string; delegate: string; set_at: Date }> = await this.ds.query(
      `SELECT circle, member, scope_kind, scope_value, delegate, set_at FROM delegation
       WHERE (member = $1 OR delegate = $1) AND ended_seq IS NULL ORDER BY circle, scope_kind, scope_value, member`,
      [member],
    );
    return rows.map((r) => ({ circle: r.circle, member: r.member, scope: { kind: r.scope_kind, value: r.scope_value }, delegate: r.delegate, since: r.set_at.toISOString() }));
  }
}

/** A row as PostgreSQL returns it: the same columns, snake_case where they differ. */
type RawProposal = Pick<ProposalRow, 'id' | 'circle' | 'kind' | 'title' | 'text' | 'topic' | 'regime' | 'params' | 'body' | 'result'> & {
  opened_seq: string | number;
  opened_at: string | Date;
  opened_by: string;
  closes_at: string | Date;
  amendments_close_at: string | Date | null;
};

const ms = (v: string | Date) => (v instanceof Date ? v.getTime() : Date.parse(v));

/** The row of proposal-row.ts: the columns named alike kept, the others renamed, times in ms. */
function toRow({ opened_seq, opened_at, opened_by, closes_at, amendments_close_at, ...alike }: RawProposal): ProposalRow {
  return {
    ...alike,
    openedSeq: Number(opened_seq),
    openedAt: ms(opened_at),
    openedBy: opened_by,
    closesAt: ms(closes_at),
    amendmentsCloseAt: amendments_close_at === null ? null : ms(amendments_close_at),
  };
}

/** The state the rules read: the row without what they never use, and whether it is closed. */
function toState({ title: _title, openedBy: _openedBy, result, ...state }: ProposalRow): ProposalState {
  return { ...state, closed: result !== null };
}
