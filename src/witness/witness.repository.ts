// The only code that reads and writes the witness tables: witness_key, witness_state (the last
// checkpoint cosigned per origin), witness_evidence (append-only), and, for this instance's own
// logs, checkpoint_cosignature and witness_progress.
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { WitnessRecord } from '../core/verify/witness-decision';

export type EvidenceRow = {
  id: number;
  origin: string;
  kind: string;
  knownSize: number;
  knownRoot: string;
  /** the checkpoint cosigned before, as the log signed it (null in rows kept before notes were) */
  knownNote: string | null;
  size: number;
  root: string;
  /** the checkpoint shown, as the log signed it (null in rows kept before notes were) */
  note: string | null;
  request: string;
  recordedAt: string;
};

/** The last checkpoint cosigned for an origin, and its note as the log signed it. */
export type CosignedRecord = WitnessRecord & { note: string };

/**
 * Rows of evidence kept per origin at most: one is enough to stop trusting a log; the bound keeps
 * a log that forked many times (or anyone replaying its forks) from filling the table.
 */
export const EVIDENCE_PER_ORIGIN = 64;

/**
 * Kinds of rows that are not evidence of a fork: 'INCONSISTENT_PROOF' rows were kept, before,
 * for any consistency proof that did not verify, which proves nothing.
 */
const NOT_PROVEN = ['INCONSISTENT_PROOF'];

export type NewestCheckpoint = { circle: string; size: number; root: Uint8Array; note: string; witnessSize: number | null };

@Injectable()
export class WitnessRepository {
  constructor(private readonly ds: DataSource) {}

  /** The witness key's seed, created by the first process that asks. */
  async seed(name: string, fresh: Uint8Array): Promise<{ name: string; seed: Uint8Array }> {
    await this.ds.query(`INSERT INTO witness_key (id, name, seed) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING`, [name, Buffer.from(fresh)]);
    const [row]: Array<{ name: string; seed: Buffer }> = await this.ds.query(`SELECT name, seed FROM witness_key WHERE id = 1`);
    return { name: row.name, seed: new Uint8Array(row.seed) };
  }

  /**
   * Runs `decide` with the origin's record locked for this transaction (an advisory lock, so also
   * for an origin never cosigned yet): check, store and sign happen as one step, whatever the
   * concurrent requests (tlog-witness's atomicity rule).
   */
  withOriginLocked<T>(origin: string, decide: (record: CosignedRecord | null, tx: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('witness:' || $1, 0))`, [origin]);
      const [row]: Array<{ size: string; root: Buffer; note: string }> = await tx.query(`SELECT size, root, note FROM witness_state WHERE origin = $1`, [origin]);
      return decide(row ? { size: Number(row.size), root: new Uint8Array(row.root), note: row.note } : null, tx);
    });
  }

  /**
   * Record a cosigned checkpoint with its note as the log signed it (the evidence of a later fork
   * needs it); never moves a record backwards (the guard a lock bug would hit).
   */
  async saveCosigned(tx: EntityManager, origin: string, size: number, root: Uint8Array, note: string): Promise<void> {
    const rows: unknown[] = await tx.query(
      `INSERT INTO witness_state (origin, size, root, note) VALUES ($1, $2, $3, $4)
       ON CONFLICT (origin) DO UPDATE SET size = EXCLUDED.size, root = EXCLUDED.root, note = EXCLUDED.note, updated_at = now()
       WHERE witness_state.size < EXCLUDED.size OR (witness_state.size = EXCLUDED.size AND witness_state.root = EXCLUDED.root)
       RETURNING origin`,
      [origin, size, Buffer.from(root), note],
    );
    if (rows.length !== 1) throw new Error(`refusing to move the witness record of ${origin} backwards or sideways`);
  }

  /**
   * Kept in its own transaction: evidence survives whatever the request's answer. One row per
   * fork (the same one shown again adds nothing) and at most EVIDENCE_PER_ORIGIN rows per origin.
   * The new row's id, or null when nothing was added (with the id of the row already kept, if any).
   */
  async saveEvidence(e: {
    origin: string;
    kind: string;
    known: CosignedRecord;
    size: number;
    root: Uint8Array;
    note: string;
    request: string;
  }): Promise<{ id: number } | { id: null; kept: number | null }> {
    const known = [e.origin, e.kind, e.known.size, Buffer.from(e.known.root), e.size, Buffer.from(e.root)];
    const inserted: Array<{ id: string }> = await this.ds.query(
      `INSERT INTO witness_evidence (origin, kind, known_size, known_root, size, root, known_note, note, request)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9
        WHERE (SELECT count(*) FROM witness_evidence WHERE origin = $1 AND note IS NOT NULL) < $10
       ON CONFLICT (origin, kind, known_size, known_root, size, root) WHERE note IS NOT NULL DO NOTHING
       RETURNING id`,
      [...known, e.known.note, e.note, e.request, EVIDENCE_PER_ORIGIN],
    );
    if (inserted.length === 1) return { id: Number(inserted[0].id) };
    const [kept]: Array<{ id: string }> = await this.ds.query(
      `SELECT id FROM witness_evidence WHERE origin = $1 AND kind = $2 AND known_size = $3 AND known_root = $4 AND size = $5 AND root = $6 AND note IS NOT NULL`,
      known,
    );
    return { id: null, kept: kept ? Number(kept.id) : null };
  }

  async evidence(limit: number): Promise<EvidenceRow[]> {
    const rows: Array<Record<string, unknown>> = await this.ds.query(
      `SELECT id, origin, kind, known_size, known_root, known_note, size, root, note, request, recorded_at FROM witness_evidence ORDER BY id DESC LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      origin: r.origin as string,
      kind: r.kind as string,
      knownSize: Number(r.known_size),
      knownRoot: (r.known_root as Buffer).toString('base64'),
      knownNote: (r.known_note as string | null) ?? null,
      size: Number(r.size),
      root: (r.root as Buffer).toString('base64'),
      note: (r.note as string | null) ?? null,
      request: r.request as string,
      recordedAt: (r.recorded_at as Date).toISOString(),
    }));
  }

  /** The forks proven to this witness: how many rows, and of which origins. */
  async evidenceSummary(): Promise<{ count: number; origins: string[] }> {
    const rows: Array<{ origin: string; n: string }> = await this.ds.query(
      `SELECT origin, count(*) AS n FROM witness_evidence WHERE kind <> ALL($1) GROUP BY origin ORDER BY origin`,
      [NOT_PROVEN],
    );
    return { count: rows.reduce((a, r) => a + Number(r.n), 0), origins: rows.map((r) => r.origin) };
  }

  async witnessedCount(): Promise<number> {
    const [row]: Array<{ n: string }> = await this.ds.query(`SELECT count(*) AS n FROM witness_state`);
    return Number(row.n);
  }

  // ---- this instance's own logs, as a client of witnesses ----

  /**
   * The newest checkpoint of each log that `witness` has not cosigned yet, least recently sent
   * first: only the newest checkpoint per log is ever sent (coalescing).
   */
  async pending(witness: string, limit: number): Promise<NewestCheckpoint[]> {
    const rows: Array<{ circle: string; size: string; root: Buffer; note: string; witness_size: string | null }> = await this.ds.query(
      `SELECT c.circle, c.size, c.root, c.note, p.size AS witness_size
         FROM (SELECT DISTINCT ON (circle) circle, size, root, note FROM checkpoint WHERE size > 0 ORDER BY circle, size DESC) c
         LEFT JOIN witness_progress p ON p.witness = $1 AND p.circle = c.circle
        WHERE NOT EXISTS (SELECT 1 FROM checkpoint_cosignature x WHERE x.circle = c.circle AND x.size = c.size AND x.witness = $1)
        ORDER BY p.updated_at NULLS FIRST, c.circle
        LIMIT $2`,
      [witness, limit],
    );
    return rows.map((r) => ({ circle: r.circle, size: Number(r.size), root: new Uint8Array(r.root), note: r.note, witnessSize: r.witness_size === null ? null : Number(r.witness_size) }));
  }

  async saveProgress(witness: string, circle: string, size: number): Promise<void> {
    await this.ds.query(
      `INSERT INTO witness_progress (witness, circle, size) VALUES ($1, $2, $3)
       ON CONFLICT (witness, circle) DO UPDATE SET size = GREATEST(witness_progress.size, EXCLUDED.size), updated_at = now()`,
      [witness, circle, size],
    );
  }

  async saveCosignature(circle: string, size: number, witness: string, line: string): Promise<void> {
    await this.ds.query(
      `INSERT INTO checkpoint_cosignature (circle, size, witness, line) VALUES ($1, $2, $3, $4) ON CONFLICT (circle, size, witness) DO UPDATE SET line = EXCLUDED.line`,
      [circle, size, witness, line],
    );
  }

  /** Every cosigned size of a log, newest first, with its note and the cosignature lines by witness. */
  async cosigned(circle: string, limit: number): Promise<Array<{ size: number; note: string; lines: Array<{ witness: string; line: string }> }>> {
    const rows: Array<{ size: string; note: string; witness: string; line: string }> = await this.ds.query(
      `SELECT s.size, c.note, x.witness, x.line
         FROM (SELECT DISTINCT size FROM checkpoint_cosignature WHERE circle = $1 ORDER BY size DESC LIMIT $2) s
         JOIN checkpoint c ON c.circle = $1 AND c.size = s.size
         JOIN checkpoint_cosignature x ON x.circle = $1 AND x.size = s.size
        ORDER BY s.size DESC, x.witness`,
      [circle, limit],
    );
    const out: Array<{ size: number; note: string; lines: Array<{ witness: string; line: string }> }> = [];
    for (const r of rows) {
      const size = Number(r.size);
      if (!out.length || out[out.length - 1].size !== size) out.push({ size, note: r.note, lines: [] });
      out[out.length - 1].lines.push({ witness: r.witness, line: r.line });
    }
    return out;
  }
}
