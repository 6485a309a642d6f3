// The only code that writes the member, circle, membership and invitation tables, and reads them
// (but for the member lookups of identity/members.repository.ts). Its read routes join log_head (log
// sizes) and log_entry (when an invitation was recorded, a forked circle's genesis).
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { unzipPairs, type LoadedState, type StateNeeds } from '../core/rules/batch-state';
import type { CircleState, Effect } from '../core/rules/state';
import type { PlacedEffect } from '../ledger/effect-projector';
import type { Params, RegimeName } from '../core/formats/vocabulary';
import { isRemoteCircle } from '../core/formats/ids';

export type { PlacedEffect };

type Queryable = Pick<EntityManager, 'query'>;

@Injectable()
export class CirclesRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * Everything a batch may look up, in one round trip. Memberships and invitations answer each pair
   * asked once, whatever the number of rows behind it (a member may be invited again and again).
   */
  async load(q: Queryable, needs: StateNeeds): Promise<LoadedState> {
    const [memberCircles, memberIds] = unzipPairs(needs.memberships);
    const [invitationCircles, invitationIds] = unzipPairs(needs.invitations);
    const [row] = await q.query(
      `SELECT
         (SELECT coalesce(json_agg(json_build_object('id', id, 'name', name, 'jwk', jwk)), '[]')
            FROM member WHERE id = ANY($1::text[])) AS members,
         (SELECT coalesce(json_agg(json_build_object('id', id, 'name', name, 'parent', coalesce(parent, remote_parent), 'regime', regime, 'params', params)), '[]')
            FROM circle WHERE id = ANY($2::text[])) AS circles,
         (SELECT coalesce(json_agg(json_build_array(p.circle, p.member)), '[]')
            FROM unnest($3::text[], $4::text[]) AS p(circle, member)
           WHERE EXISTS (SELECT 1 FROM circle_membership m WHERE m.circle = p.circle AND m.member = p.member AND m.left_seq IS NULL)) AS memberships,
         (SELECT coalesce(json_agg(json_build_array(p.circle, p.member)), '[]')
            FROM unnest($5::text[], $6::text[]) AS p(circle, member)
           WHERE EXISTS (SELECT 1 FROM invitation i WHERE i.circle = p.circle AND i.member = p.member AND i.accepted_seq IS NULL)) AS invitations`,
      [[...needs.members], [...needs.circles], memberCircles, memberIds, invitationCircles, invitationIds],
    );
    return row as LoadedState;
  }

  /**
   * Persist a run of effects of one kind (see statements/projections.ts). Every query is issued
   * before this returns, none awaits another (the writer's COMMIT follows them in the same flight).
   */
  applyRun(m: EntityManager, run: PlacedEffect[], genesisLeaves: Map<string, string>): Promise<unknown> {
    const of = <K extends Effect['kind']>(_kind: K) => run.map((p) => p.effect as Extract<Effect, { kind: K }>);
    const seqs = run.map((p) => p.seq);
    switch (run[0].effect.kind) {
      case 'member.registered': {
        const es = of('member.registered');
        return m.query(
          `INSERT INTO member (id, name, jwk, registry_seq) SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::bigint[])`,
          [es.map((e) => e.member.id), es.map((e) => e.member.name), es.map((e) => JSON.stringify(e.member.jwk)), seqs],
        );
      }
      case 'circle.created': {
        const es = of('circle.created');
        return m.query(
          `INSERT INTO circle (id, name, parent, remote_parent, regime, params, genesis_leaf, forked_from, fork_cause)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $9::text[], $4::text[], $5::jsonb[], $6::bytea[], $7::text[], $8::text[])`,
          [
            es.map((e) => e.circle.id),
            es.map((e) => e.circle.name),
            // A parent on another instance (a qualified id, SPEC §12.2) has no row here.
            es.map((e) => (e.circle.parent !== null && isRemoteCircle(e.circle.parent) ? null : e.circle.parent)),
            es.map((e) => e.circle.regime),
            es.map((e) => JSON.stringify(e.circle.params)),
            es.map((e) => Buffer.from(genesisLeaves.get(e.circle.id) ?? '', 'base64url')),
            es.map((e) => e.forkedFrom ?? null),
            es.map((e) => e.forkCause ?? null),
            es.map((e) => (e.circle.parent !== null && isRemoteCircle(e.circle.parent) ? e.circle.parent : null)),
          ],
        );
      }
      case 'remote.child.recorded': {
        const es = of('remote.child.recorded');
        return m.query(`INSERT INTO remote_child (parent, child, seq) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])`, [
          es.map((e) => e.parent),
          es.map((e) => e.child),
          seqs,
        ]);
      }
      case 'member.invited': {
        const es = of('member.invited');
        return m.query(
          `INSERT INTO invitation (circle, member, invited_seq, invited_by) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[])`,
          [es.map((e) => e.circle), es.map((e) => e.member), seqs, es.map((e) => e.by)],
        );
      }
      case 'member.joined': {
        const es = of('member.joined');
        const params = [es.map((e) => e.circle), es.map((e) => e.member), seqs];
        return Promise.all([
          m.query(`INSERT INTO circle_membership (circle, member, joined_seq) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])`, params),
          m.query(
            `UPDATE invitation i SET accepted_seq = p.seq FROM unnest($1::text[], $2::text[], $3::bigint[]) AS p(circle, member, seq)
             WHERE i.circle = p.circle AND i.member = p.member AND i.accepted_seq IS NULL`,
            params,
          ),
        ]);
      }
      case 'member.left': {
        const es = of('member.left');
        return m.query(
          `UPDATE circle_membership c SET left_seq = p.seq FROM unnest($1::text[], $2::text[], $3::bigint[]) AS p(circle, member, seq)
           WHERE c.circle = p.circle AND c.member = p.member AND c.left_seq IS NULL`,
          [es.map((e) => e.circle), es.map((e) => e.member), seqs],
        );
      }
      case 'circle.regime':
        return Promise.all(
          of('circle.regime').map((e) => m.query(`UPDATE circle SET regime = $2, params = $3 WHERE id = $1`, [e.circle, e.regime, JSON.stringify(e.params)])),
        );
      default:
        throw new Error(`CirclesRepository cannot apply ${run[0].effect.kind}`); // thrown, before the COMMIT is sent
    }
  }

  async regimeOf(q: Pick<EntityManager, 'query'>, circle: string): Promise<{ regime: RegimeName; params: Partial<Params> }> {
    const [row] = await q.query(`SELECT regime, params FROM circle WHERE id = $1`, [circle]);
    return row;
  }

  async forkExists(q: Pick<EntityManager, 'query'>, cause: string): Promise<boolean> {
    return (await q.query(`SELECT 1 FROM circle WHERE fork_cause = $1`, [cause])).length > 0;
  }

  /**
   * SPEC §7: delegations between two of `members` in force at the last shared entry `atSeq`, with
   * their entries' leaves (inside the shared history). Proposal-scoped ones name the original's
   * proposals and mean nothing in the new circle: they are not carried.
   */
  async delegationsWithin(q: Pick<EntityManager, 'query'>, circle: string, members: string[], atSeq: number) {
    const rows: Array<{ member: string; scope_kind: 'circle' | 'topic' | 'proposal'; scope_value: string; delegate: string; leaf: Buffer }> = await q.query(
      `SELECT d.member, d.scope_kind, d.scope_value, d.delegate, e.leaf FROM delegation d
       JOIN log_entry e ON e.circle = d.circle AND e.seq = d.set_seq
       WHERE d.circle = $1 AND d.member = ANY($2::text[]) AND d.delegate = ANY($2::text[]) AND d.scope_kind <> 'proposal'
         AND d.set_seq <= $3 AND (d.ended_seq IS NULL OR d.ended_seq > $3)
       ORDER BY d.set_seq`,
      [circle, members, atSeq],
    );
    return rows.map((r) => ({ leaf: r.leaf.toString('base64url'), member: r.member, scope: { kind: r.scope_kind, value: r.scope_value }, delegate: r.delegate }));
  }

  /**
   * The ancestors of a circle, nearest first: its parent, grandparent, … up to the root. When the
   * highest one here has its parent on another instance, that parent's qualified id ends the list.
   */
  async ancestorsOf(id: string): Promise<string[]> {
    const rows: Array<{ id: string; remote_parent: string | null; depth: number }> = await this.ds.query(
      `WITH RECURSIVE up (id, parent, remote_parent, depth) AS (
         SELECT id, parent, remote_parent, 0 FROM circle WHERE id = $1
         UNION ALL
         SELECT c.id, c.parent, c.remote_parent, up.depth + 1 FROM circle c JOIN up ON c.id = up.parent
       )
       SELECT id, remote_parent, depth FROM up ORDER BY depth`,
      [id],
    );
    const top = rows[rows.length - 1]?.remote_parent;
    return [...rows.filter((r) => r.depth > 0).map((r) => r.id), ...(top ? [top] : [])];
  }

  /** The local circle that recorded `child` (a qualified id of another instance's circle) as its child. */
  async remoteChildParent(q: Queryable, child: string): Promise<string | null> {
    const [row] = await q.query(`SELECT parent FROM remote_child WHERE child = $1`, [child]);
    return row?.parent ?? null;
  }

  /** The circles a member currently belongs to, by name (read route: GET /members/:id/circles). */
  async circlesOfMember(member: string): Promise<Array<{ id: string; name: string; parent: string | null; regime: string; size: number }>> {
    const rows: Array<{ id: string; name: string; parent: string | null; regime: string; size: string | null }> = await this.ds.query(
      `SELECT c.id, c.name, coalesce(c.parent, c.remote_parent) AS parent, c.regime, h.size FROM circle_membership m
       JOIN circle c ON c.id = m.circle LEFT JOIN log_head h ON h.circle = c.id
       WHERE m.member = $1 AND m.left_seq IS NULL ORDER BY c.name, c.id`,
      [member],
    );
    return rows.map((r) => ({ ...r, size: Number(r.size ?? 0) }));
  }

  /** Pending invitations of a member to circles she is not in, the latest per circle. */
  async pendingInvitations(member: string) {
    const rows: Array<{ circle: string; circle_name: string; invited_by: string; invited_seq: string; recorded_at: Date }> = await this.ds.query(
      `SELECT DISTINCT ON (i.circle) i.circle, c.name AS circle_name, i.invited_by, i.invited_seq, e.recorded_at
         FROM invitation i
         JOIN circle c ON c.id = i.circle
         JOIN log_entry e ON e.circle = i.circle AND e.seq = i.invited_seq
        WHERE i.member = $1 AND i.accepted_seq IS NULL
          AND NOT EXISTS (SELECT 1 FROM circle_membership m WHERE m.circle = i.circle AND m.member = i.member AND m.left_seq IS NULL)
        ORDER BY i.circle, i.invited_seq DESC`,
      [member],
    );
    return rows
      .map((r) => ({ circle: r.circle, circleName: r.circle_name, invitedBy: r.invited_by, seq: Number(r.invited_seq), recordedAt: r.recorded_at.toISOString() }))
      .sort((a, b) => (a.recordedAt < b.recordedAt ? 1 : a.recordedAt > b.recordedAt ? -1 : 0));
  }

  /** The circles of the instance (under `parent`; `null`: the roots; undefined: all), by name. */
  async circles(parent: string | null | undefined) {
    const rows: Array<{ id: string; name: string; parent: string | null; regime: string; size: string | null; children: string[]; forked_from: string | null }> =
      await this.ds.query(
        `SELECT c.id, c.name, coalesce(c.parent, c.remote_parent) AS parent, c.regime, h.size, c.forked_from,
                coalesce((SELECT array_agg(k.id ORDER BY k.id) FROM circle k WHERE k.parent = c.id), '{}')
                  || coalesce((SELECT array_agg(r.child ORDER BY r.child) FROM remote_child r WHERE r.parent = c.id), '{}') AS children
           FROM circle c LEFT JOIN log_head h ON h.circle = c.id
          WHERE ($1::boolean OR ($2::text IS NULL AND c.parent IS NULL) OR c.parent = $2)
          ORDER BY c.name, c.id`,
        [parent === undefined, parent ?? null],
      );
    return rows.map((r) => ({ id: r.id, name: r.name, parent: r.parent, regime: r.regime, size: Number(r.size ?? 0), children: r.children, forkedFrom: r.forked_from }));
  }

  async exists(id: string): Promise<boolean> {
    return (await this.ds.query(`SELECT 1 FROM circle WHERE id = $1`, [id])).length > 0;
  }

  /** The genesis entries of the circles forked out of `id`, oldest first (their bodies say where the fork stands). */
  async forkGeneses(id: string): Promise<Array<{ circle: string; name: string; line: string }>> {
    return this.ds.query(
      `SELECT c.id AS circle, c.name, e.line FROM circle c JOIN log_entry e ON e.circle = c.id AND e.seq = 0
        WHERE c.forked_from = $1 ORDER BY e.recorded_at, c.id`,
      [id],
    );
  }

  /** A forked circle's genesis entry line; null when the circle was not forked. */
  async forkGenesis(id: string): Promise<string | null> {
    const [row] = await this.ds.query(
      `SELECT e.line FROM circle c JOIN log_entry e ON e.circle = c.id AND e.seq = 0 WHERE c.id = $1 AND c.forked_from IS NOT NULL`,
      [id],
    );
    return row?.line ?? null;
  }

  async circleState(id: string): Promise<
    | (CircleState & { children: string[]; members: string[] })
    | null
  > {
    const [row] = await this.ds.query(`SELECT id, name, coalesce(parent, remote_parent) AS parent, regime, params FROM circle WHERE id = $1`, [id]);
    if (!row) return null;
    // Children here first, then those on other instances (qualified ids, SPEC §12.2).
    const children: Array<{ id: string }> = await this.ds.query(
      `(SELECT id FROM circle WHERE parent = $1 ORDER BY id) UNION ALL (SELECT child FROM remote_child WHERE parent = $1 ORDER BY child)`,
      [id],
    );
    const members: Array<{ member: string }> = await this.ds.query(
      `SELECT member FROM circle_membership WHERE circle = $1 AND left_seq IS NULL ORDER BY member`,
      [id],
    );
    return { ...(row as CircleState), children: children.map((c) => c.id), members: members.map((m) => m.member) };
  }
}
