// The only code that reads and writes member, circle, membership and invitation tables.
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { LoadedState, StateNeeds } from '../statements/batch-state';
import type { CircleState, Effect, MemberState } from '../statements/domain/state';

export interface PlacedEffect {
  effect: Effect;
  /** The entry that caused it. */
  circle: string;
  seq: number;
}

type Queryable = Pick<EntityManager, 'query'>;

const split = (pairs: Set<string>) => {
  const circles: string[] = [];
  const members: string[] = [];
  for (const p of pairs) {
    const [c, m] = p.split(' ');
    circles.push(c);
    members.push(m);
  }
  return [circles, members];
};

@Injectable()
export class CirclesRepository {
  constructor(private readonly ds: DataSource) {}

  async load(q: Queryable, needs: StateNeeds): Promise<LoadedState> {
    // One connection inside a transaction: the queries run one after the other.
    const members = needs.members.size ? await q.query(`SELECT id, name, jwk FROM member WHERE id = ANY($1::text[])`, [[...needs.members]]) : [];
    const circles = needs.circles.size
      ? await q.query(`SELECT id, name, parent, regime, params FROM circle WHERE id = ANY($1::text[])`, [[...needs.circles]])
      : [];
    const memberships = needs.memberships.size
        ? await q.query(
            `SELECT m.circle, m.member FROM circle_membership m
             JOIN unnest($1::text[], $2::text[]) AS p(circle, member) ON m.circle = p.circle AND m.member = p.member
             WHERE m.left_seq IS NULL`,
            split(needs.memberships),
          )
        : [];
    const invitations = needs.invitations.size
        ? await q.query(
            `SELECT DISTINCT i.circle, i.member FROM invitation i
             JOIN unnest($1::text[], $2::text[]) AS p(circle, member) ON i.circle = p.circle AND i.member = p.member
             WHERE i.accepted_seq IS NULL`,
            split(needs.invitations),
          )
        : [];
    return {
      members: members as MemberState[],
      circles: circles as CircleState[],
      memberships: (memberships as Array<{ circle: string; member: string }>).map((r) => [r.circle, r.member]),
      invitations: (invitations as Array<{ circle: string; member: string }>).map((r) => [r.circle, r.member]),
    };
  }

  /** Persist effects in order (they are few per batch except invitations and joins). */
  async apply(m: EntityManager, placed: PlacedEffect[], genesisLeaves: Map<string, string>): Promise<void> {
    for (const { effect: e, seq } of placed) {
      switch (e.kind) {
        case 'member.registered':
          await m.query(`INSERT INTO member (id, name, jwk, registry_seq) VALUES ($1, $2, $3, $4)`, [
            e.member.id,
            e.member.name,
            JSON.stringify(e.member.jwk),
            seq,
          ]);
          break;
        case 'circle.created':
          await m.query(
            `INSERT INTO circle (id, name, parent, regime, params, genesis_leaf) VALUES ($1, $2, $3, $4, $5, $6)`,
            [e.circle.id, e.circle.name, e.circle.parent, e.circle.regime, JSON.stringify(e.circle.params), Buffer.from(genesisLeaves.get(e.circle.id) ?? '', 'base64url')],
          );
          break;
        case 'member.invited':
          await m.query(
            `INSERT INTO invitation (circle, member, invited_seq, invited_by) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
            [e.circle, e.member, seq, e.by],
          );
          break;
        case 'member.joined':
          await m.query(`INSERT INTO circle_membership (circle, member, joined_seq) VALUES ($1, $2, $3)`, [e.circle, e.member, seq]);
          await m.query(`UPDATE invitation SET accepted_seq = $3 WHERE circle = $1 AND member = $2 AND accepted_seq IS NULL`, [
            e.circle,
            e.member,
            seq,
          ]);
          break;
        case 'member.left':
          await m.query(`UPDATE circle_membership SET left_seq = $3 WHERE circle = $1 AND member = $2 AND left_seq IS NULL`, [
            e.circle,
            e.member,
            seq,
          ]);
          break;
      }
    }
  }

  async member(id: string): Promise<MemberState | null> {
    const [row] = await this.ds.query(`SELECT id, name, jwk FROM member WHERE id = $1`, [id]);
    return (row as MemberState) ?? null;
  }

  async circleState(id: string): Promise<
    | (CircleState & { children: string[]; members: string[] })
    | null
  > {
    const [row] = await this.ds.query(`SELECT id, name, parent, regime, params FROM circle WHERE id = $1`, [id]);
    if (!row) return null;
    const children: Array<{ id: string }> = await this.ds.query(`SELECT id FROM circle WHERE parent = $1 ORDER BY id`, [id]);
    const members: Array<{ member: string }> = await this.ds.query(
      `SELECT member FROM circle_membership WHERE circle = $1 AND left_seq IS NULL ORDER BY member`,
      [id],
    );
    return { ...(row as CircleState), children: children.map((c) => c.id), members: members.map((m) => m.member) };
  }
}
