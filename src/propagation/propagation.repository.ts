// The only code that reads and writes the receipt table (a decision's receipts join log_entry for
// their leaves and times).
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { PlacedEffect } from '../ledger/effect-projector';
import type { StateNeeds } from '../core/rules/batch-state';
import type { Effect } from '../core/rules/state';

type Queryable = Pick<EntityManager, 'query'>;

@Injectable()
export class PropagationRepository {
  constructor(private readonly ds: DataSource) {}

  async load(q: Queryable, needs: StateNeeds): Promise<{ receipts?: Array<[string, string, string]> }> {
    if (!needs.receipts.size) return {};
    const triples = [...needs.receipts].map((t) => t.split(' '));
    const rows: Array<{ ancestor: string; child: string; proposal: string }> = await q.query(
      `SELECT r.ancestor, r.child, r.proposal FROM receipt r
       JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(ancestor, child, proposal)
         ON r.ancestor = k.ancestor AND r.child = k.child AND r.proposal = k.proposal`,
      [triples.map((t) => t[0]), triples.map((t) => t[1]), triples.map((t) => t[2])],
    );
    return { receipts: rows.map((r) => [r.ancestor, r.child, r.proposal]) };
  }

  /** Persist a run of receipts, in one query issued before this returns (statements/projections.ts). */
  applyRun(m: EntityManager, run: PlacedEffect[]): Promise<unknown> {
    const es = run.map((p) => p.effect as Extract<Effect, { kind: 'receipt.recorded' }>);
    // The primary key makes a second receipt of one decision in one ancestor impossible.
    return m.query(
      `INSERT INTO receipt (ancestor, child, proposal, child_seq, seq)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[])`,
      [es.map((e) => e.ancestor), es.map((e) => e.child), es.map((e) => e.proposal), es.map((e) => e.childSeq), run.map((p) => p.seq)],
    );
  }

  async exists(q: Queryable, ancestor: string, child: string, proposal: string): Promise<boolean> {
    const rows = await q.query(`SELECT 1 FROM receipt WHERE ancestor = $1 AND child = $2 AND proposal = $3`, [ancestor, child, proposal]);
    return rows.length > 0;
  }

  /** The seq of the receipt of `child`'s decision on `proposal` in `ancestor`'s log, if it holds one. */
  async receiptSeq(ancestor: string, child: string, proposal: string): Promise<number | null> {
    const [row] = await this.ds.query(`SELECT seq FROM receipt WHERE ancestor = $1 AND child = $2 AND proposal = $3`, [ancestor, child, proposal]);
    return row ? Number(row.seq) : null;
  }

  /** The receipts an ancestor's log holds, in log order. */
  async receiptsIn(ancestor: string): Promise<Array<{ child: string; proposal: string; childSeq: number; seq: number }>> {
    const rows: Array<{ child: string; proposal: string; child_seq: string; seq: string }> = await this.ds.query(
      `SELECT child, proposal, child_seq, seq FROM receipt WHERE ancestor = $1 ORDER BY seq`,
      [ancestor],
    );
    return rows.map((r) => ({ child: r.child, proposal: r.proposal, childSeq: Number(r.child_seq), seq: Number(r.seq) }));
  }

  /** The receipts of a proposal's tally in its ancestors (SPEC §8), with their entries. */
  async receipts(proposal: string): Promise<Array<{ ancestor: string; seq: number; leaf: string; recordedAt: string }>> {
    const rows: Array<{ ancestor: string; seq: string; leaf: Buffer; recorded_at: Date }> = await this.ds.query(
      `SELECT r.ancestor, r.seq, e.leaf, e.recorded_at FROM receipt r
         JOIN log_entry e ON e.circle = r.ancestor AND e.seq = r.seq
        WHERE r.proposal = $1`,
      [proposal],
    );
    return rows.map((r) => ({ ancestor: r.ancestor, seq: Number(r.seq), leaf: r.leaf.toString('base64url'), recordedAt: r.recorded_at.toISOString() }));
  }
}
