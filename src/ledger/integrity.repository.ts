// The self-audit's tables (docs/operations.md#self-audit): log_freeze (logs found altered below the
// service; appends refused until an operator lifts it) and log_audit (how far each log was
// re-verified). The service inserts freezes and never deletes them.
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MerkleNode } from '../core/formats/merkle';
import { VerifiedPrefix } from '../core/verify/verify-log';

type Queryable = { query(sql: string, params?: unknown[]): Promise<unknown> };

export interface Freeze {
  circle: string;
  code: string;
  reason: string;
  detectedBy: string;
  detectedAt: string;
}

/** What the writer checks a locked head against, read in the same round trip as the lock. */
export interface HeadCheck {
  frozen: { code: string; reason: string } | null;
  /**
   * The newest checkpoint the instance signed of this log, and the stored nodes of its root (null
   * when it is the checkpoint the caller said it had checked: those are not read).
   */
  checkpoint: { size: number; root: Uint8Array; frontier: MerkleNode[] | null } | null;
  /** The stored level-0 node of the head's last entry. */
  lastNode: Uint8Array | null;
}

export interface AuditState extends VerifiedPrefix {
  fullPassAt: number;
}

@Injectable()
export class IntegrityRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * What the writer checks the locked heads of `circles` against. `checked`: per log, the checkpoint
   * (size and root) the caller has already checked against the stored nodes; when that is still the
   * newest, the nodes of its root are not read again (most batches: a log's checkpoint is signed at
   * most every CHECKPOINT_INTERVAL_SECONDS, its batches come every few milliseconds).
   */
  async headChecks(m: Queryable, circles: string[], checked: { get(circle: string): { size: number; root: Uint8Array } | undefined } = new Map()): Promise<Map<string, HeadCheck>> {
    const out = new Map<string, HeadCheck>();
    if (!circles.length) return out;
    const known = circles.map((c) => checked.get(c));
    const rows = (await m.query(
      `SELECT h.circle, f.code AS frozen_code, f.reason AS frozen_reason, c.size AS cp_size, c.root AS cp_root,
              (SELECT n.hash FROM merkle_node n WHERE n.circle = h.circle AND n.level = 0 AND n.idx = h.size - 1) AS last_node,
              (c.size, c.root) IS NOT DISTINCT FROM (q.cp_size, q.cp_root) AS cp_checked, fr.levels AS cp_levels, fr.hashes AS cp_hashes
         FROM unnest($1::text[], $2::bigint[], $3::bytea[]) AS q(circle, cp_size, cp_root)
         JOIN log_head h ON h.circle = q.circle
         LEFT JOIN log_freeze f ON f.circle = h.circle
         LEFT JOIN LATERAL (SELECT size, root FROM checkpoint WHERE circle = h.circle ORDER BY size DESC LIMIT 1) c ON true
         -- The nodes of the checkpoint's root, unless there is none or it is the one already checked
         -- (that condition is a one-time filter: nothing below it runs then).
         LEFT JOIN LATERAL (
           SELECT array_agg(k.level ORDER BY k.level) AS levels, array_agg(n.hash ORDER BY k.level) AS hashes
             FROM generate_series(0, 62) AS k(level)
             JOIN merkle_node n ON n.circle = h.circle AND n.level = k.level AND n.idx = (c.size >> k.level) - 1
            WHERE c.size IS NOT NULL AND (c.size, c.root) IS DISTINCT FROM (q.cp_size, q.cp_root) AND (c.size >> k.level) & 1 = 1
         ) fr ON true`,
      [circles, known.map((k) => k?.size ?? null), known.map((k) => (k ? Buffer.from(k.root) : null))],
    )) as Array<{
      circle: string;
      frozen_code: string | null;
      frozen_reason: string | null;
      cp_size: string | null;
      cp_root: Buffer | null;
      last_node: Buffer | null;
      cp_levels: number[] | null;
      cp_hashes: Buffer[] | null;
      cp_checked: boolean;
    }>;
    for (const r of rows) {
      const size = r.cp_size === null ? null : Number(r.cp_size);
      const levels = r.cp_levels ?? [];
      const hashes = r.cp_hashes ?? [];
      out.set(r.circle, {
        frozen: r.frozen_code ? { code: r.frozen_code, reason: r.frozen_reason ?? '' } : null,
        checkpoint:
          size === null || !r.cp_root
            ? null
            : {
                size,
                root: r.cp_root,
                frontier: r.cp_checked ? null : levels.map((level, i) => ({ level, index: Math.floor(size / 2 ** level) - 1, hash: hashes[i] })),
              },
        lastNode: r.last_node,
      });
    }
    return out;
  }

  /** Freeze a log; true when this call froze it (false: it already was). */
  async freeze(circle: string, code: string, reason: string, detectedBy: string): Promise<boolean> {
    const rows = (await this.ds.query(
      `INSERT INTO log_freeze (circle, code, reason, detected_by) VALUES ($1, $2, $3, $4) ON CONFLICT (circle) DO NOTHING RETURNING circle`,
      [circle, code, reason.slice(0, 2000), detectedBy],
    )) as unknown[];
    return rows.length === 1;
  }

  async freezes(): Promise<Freeze[]> {
    const rows = (await this.ds.query(`SELECT circle, code, reason, detected_by, detected_at FROM log_freeze ORDER BY detected_at, circle`)) as Array<{
      circle: string;
      code: string;
      reason: string;
      detected_by: string;
      detected_at: Date;
    }>;
    return rows.map((r) => ({ circle: r.circle, code: r.code, reason: r.reason, detectedBy: r.detected_by, detectedAt: r.detected_at.toISOString() }));
  }

  async isFrozen(circle: string): Promise<boolean> {
    const rows = (await this.ds.query(`SELECT 1 FROM log_freeze WHERE circle = $1`, [circle])) as unknown[];
    return rows.length > 0;
  }

  async auditState(circle: string): Promise<AuditState | null> {
    const [row] = (await this.ds.query(
      `SELECT size, frontier, last_leaf, last_recorded_at, full_pass_at FROM log_audit WHERE circle = $1`,
      [circle],
    )) as Array<{ size: string; frontier: Buffer[]; last_leaf: Buffer | null; last_recorded_at: string | null; full_pass_at: Date }>;
    if (!row) return null;
    return {
      size: Number(row.size),
      frontier: row.frontier.map((b) => new Uint8Array(b)),
      lastLeaf: row.last_leaf ? new Uint8Array(row.last_leaf) : null,
      lastRecordedAt: row.last_recorded_at,
      fullPassAt: row.full_pass_at.getTime(),
    };
  }

  async saveAuditState(circle: string, state: VerifiedPrefix, root: Uint8Array, fullPassAt: number): Promise<void> {
    await this.ds.query(
      `INSERT INTO log_audit (circle, size, root, last_leaf, last_recorded_at, frontier, full_pass_at, audited_at)
       VALUES ($1, $2, $3, $4, $5, $6::bytea[], $7, now())
       ON CONFLICT (circle) DO UPDATE SET size = EXCLUDED.size, root = EXCLUDED.root, last_leaf = EXCLUDED.last_leaf,
         last_recorded_at = EXCLUDED.last_recorded_at, frontier = EXCLUDED.frontier, full_pass_at = EXCLUDED.full_pass_at, audited_at = now()`,
      [
        circle,
        state.size,
        Buffer.from(root),
        state.lastLeaf ? Buffer.from(state.lastLeaf) : null,
        state.lastRecordedAt,
        state.frontier.map((h) => Buffer.from(h)),
        new Date(fullPassAt).toISOString(),
      ],
    );
  }

  /** Every log there is, and the signed checkpoints of one above a size (with their roots' stored nodes). */
  async circles(): Promise<string[]> {
    const rows = (await this.ds.query(`SELECT circle FROM log_head ORDER BY circle`)) as Array<{ circle: string }>;
    return rows.map((r) => r.circle);
  }

  async checkpointsAbove(circle: string, size: number): Promise<Array<{ size: number; note: string }>> {
    const rows = (await this.ds.query(`SELECT size, note FROM checkpoint WHERE circle = $1 AND size > $2 ORDER BY size`, [circle, size])) as Array<{
      size: string;
      note: string;
    }>;
    return rows.map((r) => ({ size: Number(r.size), note: r.note }));
  }

  /**
   * The stored Merkle nodes completed by the entries `from` to `to` (excluded): at each level l,
   * the nodes (l, i) whose last leaf (i + 1)·2^l − 1 is one of them. Read by ranges of the primary key.
   */
  async nodesCompletedBy(circle: string, from: number, to: number): Promise<MerkleNode[]> {
    const levels: number[] = [];
    const lows: number[] = [];
    const highs: number[] = [];
    for (let level = 0; 2 ** level <= to; level++) {
      const span = 2 ** level;
      const low = Math.ceil((from + 1) / span) - 1;
      const high = Math.floor(to / span) - 1;
      if (low > high) continue;
      levels.push(level);
      lows.push(low);
      highs.push(high);
    }
    if (!levels.length) return [];
    const rows = (await this.ds.query(
      `SELECT n.level, n.idx, n.hash FROM unnest($2::smallint[], $3::bigint[], $4::bigint[]) AS r(level, low, high)
         JOIN merkle_node n ON n.circle = $1 AND n.level = r.level AND n.idx BETWEEN r.low AND r.high`,
      [circle, levels, lows, highs],
    )) as Array<{ level: number; idx: string; hash: Buffer }>;
    return rows.map((r) => ({ level: r.level, index: Number(r.idx), hash: r.hash }));
  }

  /** The note of the smallest checkpoint signed of `circle` at or above `size`, if any. */
  async checkpointAtOrAbove(circle: string, size: number): Promise<string | null> {
    const [row] = (await this.ds.query(`SELECT note FROM checkpoint WHERE circle = $1 AND size >= $2 ORDER BY size LIMIT 1`, [circle, size])) as Array<{ note: string }>;
    return row?.note ?? null;
  }

  /** Every member key ever registered (kid → JWK), to check the signatures of circle logs. */
  async memberJwks(): Promise<Map<string, { kty: string; crv: string; x: string }>> {
    const rows = (await this.ds.query(`SELECT id, jwk FROM member UNION ALL SELECT kid, jwk FROM member_key WHERE kid NOT IN (SELECT id FROM member)`)) as Array<{ id: string; jwk: { kty: string; crv: string; x: string } }>;
    return new Map(rows.map((r) => [r.id, r.jwk]));
  }
}
