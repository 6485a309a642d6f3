// The only code that reads and writes the regime_position table.
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { PlacedEffect } from '../ledger/effect-projector';
import type { Effect } from '../core/rules/state';
import type { RegimeName } from '../core/governance/params';

type Queryable = Pick<EntityManager, 'query'>;

export interface CursorInputs {
  regime: string;
  params: Record<string, unknown>;
  members: string[];
  positions: Map<string, RegimeName>;
  delegations: Map<string, string>;
}

@Injectable()
export class RegimesRepository {
  /** Persist a run of positions, every query issued before this returns (statements/projections.ts). */
  applyRun(m: EntityManager, run: PlacedEffect[]): Promise<unknown> {
    const es = run.map((p) => p.effect as Extract<Effect, { kind: 'position.set' }>);
    // One statement each, in order on the connection: a member may move twice within a batch; the later position wins.
    return Promise.all(
      es.map((e, i) =>
        m.query(
          `INSERT INTO regime_position (circle, member, position, seq) VALUES ($1, $2, $3, $4)
           ON CONFLICT (circle, member) DO UPDATE SET position = EXCLUDED.position, seq = EXCLUDED.seq`,
          [e.circle, e.member, e.position, run[i].seq],
        ),
      ),
    );
  }

  /** SPEC §6: current members, their positions and circle-scoped delegations, in bulk. */
  async cursorInputs(q: Queryable, circle: string): Promise<CursorInputs | null> {
    const [c] = await q.query(`SELECT regime, params FROM circle WHERE id = $1`, [circle]);
    if (!c) return null;
    const members: Array<{ member: string }> = await q.query(`SELECT member FROM circle_membership WHERE circle = $1 AND left_seq IS NULL`, [circle]);
    const positions: Array<{ member: string; position: RegimeName }> = await q.query(`SELECT member, position FROM regime_position WHERE circle = $1`, [circle]);
    const delegations: Array<{ member: string; delegate: string }> = await q.query(
      `SELECT member, delegate FROM delegation WHERE circle = $1 AND scope_kind = 'circle' AND ended_seq IS NULL`,
      [circle],
    );
    return {
      regime: c.regime,
      params: c.params,
      members: members.map((r) => r.member).sort(),
      positions: new Map(positions.map((r) => [r.member, r.position])),
      delegations: new Map(delegations.map((r) => [r.member, r.delegate])),
    };
  }
}
