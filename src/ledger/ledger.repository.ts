// The only code that writes the log tables (log_head, log_entry, merkle_node, checkpoint), and reads
// them but for joins on an entry's seq, leaf and time (circles.repository.ts: sizes, invitations,
// forks' geneses, carried delegations; propagation.repository.ts: receipts).
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { formatTimestamp } from '../core/formats/canonical-json';
import { EMPTY_ROOT, MerkleNode, NodeKey } from '../core/formats/merkle';

export interface LogHead {
  circle: string;
  size: number;
  root: Uint8Array;
  lastLeaf: Uint8Array | null;
  lastRecordedAt: number | null;
}

export interface EntryRow {
  circle: string;
  seq: number;
  leaf: Uint8Array;
  line: string;
  type: string;
  signer: string;
  statementId: string;
  recordedAt: number;
}

export interface EntrySummary {
  seq: number;
  type: string;
  /** base64url */
  leaf: string;
  recordedAt: string;
  line: string;
}

type Queryable = Pick<EntityManager, 'query'>;

@Injectable()
export class LedgerRepository {
  constructor(private readonly ds: DataSource) {}

  get dataSource(): DataSource {
    return this.ds;
  }

  /** Lock the heads of these logs for this transaction (one writer per circle at a time). */
  async lockHeads(m: EntityManager, circles: string[]): Promise<Map<string, LogHead>> {
    const rows: HeadRow[] = await m.query(
      `SELECT circle, size, root, last_leaf, last_recorded_at FROM log_head WHERE circle = ANY($1::text[])
       ORDER BY circle FOR UPDATE`,
      [circles],
    );
    return new Map(rows.map((r) => [r.circle, toHead(r)]));
  }

  /** Create an empty log's head if it does not exist yet (the registry log, on first use). */
  async ensureHead(m: EntityManager, circle: string): Promise<void> {
    await m.query(`INSERT INTO log_head (circle, size, root) VALUES ($1, 0, $2) ON CONFLICT DO NOTHING`, [circle, Buffer.from(EMPTY_ROOT)]);
  }

  async head(circle: string, q: Queryable = this.ds): Promise<LogHead | null> {
    const [row]: HeadRow[] = await q.query(
      `SELECT circle, size, root, last_leaf, last_recorded_at FROM log_head WHERE circle = $1`,
      [circle],
    );
    return row ? toHead(row) : null;
  }

  /** Perfect-subtree nodes by key, in one query. */
  async nodes(circle: string, keys: NodeKey[], q: Queryable = this.ds): Promise<MerkleNode[]> {
    if (!keys.length) return [];
    const rows: Array<{ level: number; idx: string; hash: Buffer }> = await q.query(
      `SELECT n.level, n.idx, n.hash FROM merkle_node n
       JOIN unnest($2::smallint[], $3::bigint[]) AS k(level, idx) ON n.level = k.level AND n.idx = k.idx
       WHERE n.circle = $1`,
      [circle, keys.map((k) => k.level), keys.map((k) => k.index)],
    );
    return rows.map((r) => ({ level: r.level, index: Number(r.idx), hash: r.hash }));
  }

  /**
   * The frontier nodes of these logs at their current sizes, in one query: the writer sends it in
   * the same round trip as the locks of their heads (so "current" is the locked size). For a size
   * n, the frontier holds one node per bit k set in n: level k, index (n >> k) - 1.
   */
  async lockedFrontiers(m: Queryable, circles: string[]): Promise<Map<string, MerkleNode[]>> {
    const out = new Map<string, MerkleNode[]>();
    if (!circles.length) return out;
    const rows: Array<{ circle: string; level: number; idx: string; hash: Buffer }> = await m.query(
      `SELECT n.circle, n.level, n.idx, n.hash FROM log_head h
       CROSS JOIN generate_series(0, 62) AS k(level)
       JOIN merkle_node n ON n.circle = h.circle AND n.level = k.level AND n.idx = (h.size >> k.level) - 1
       WHERE h.circle = ANY($1::text[]) AND (h.size >> k.level) & 1 = 1`,
      [circles],
    );
    for (const r of rows) {
      let nodes = out.get(r.circle);
      if (!nodes) out.set(r.circle, (nodes = []));
      nodes.push({ level: r.level, index: Number(r.idx), hash: r.hash });
    }
    return out;
  }

  /**
   * A batch's writes to the logs in one statement (one round trip): the entry rows, the new Merkle
   * nodes and the new heads. Data-modifying CTEs run together, and the constraints of all three
   * (UNIQUE (circle, seq), one node per position) are checked as ever. Issued before it returns
   * (not async: a mistake here throws before the writer's COMMIT is sent).
   */
  append(m: EntityManager, rows: EntryRow[], nodes: Array<MerkleNode & { circle: string }>, heads: LogHead[]): Promise<unknown> {
    if (!rows.length && !nodes.length && !heads.length) return Promise.resolve();
    return m.query(
      `WITH entries AS (
         INSERT INTO log_entry (circle, seq, leaf, line, type, signer, statement_id, recorded_at)
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::bytea[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
       ), nodes AS (
         INSERT INTO merkle_node (circle, level, idx, hash)
         SELECT * FROM unnest($9::text[], $10::smallint[], $11::bigint[], $12::bytea[])
       )
       INSERT INTO log_head (circle, size, root, last_leaf, last_recorded_at)
       SELECT * FROM unnest($13::text[], $14::bigint[], $15::bytea[], $16::bytea[], $17::timestamptz[])
       ON CONFLICT (circle) DO UPDATE SET size = EXCLUDED.size, root = EXCLUDED.root,
         last_leaf = EXCLUDED.last_leaf, last_recorded_at = EXCLUDED.last_recorded_at`,
      [
        rows.map((r) => r.circle),
        rows.map((r) => r.seq),
        rows.map((r) => Buffer.from(r.leaf)),
        rows.map((r) => r.line),
        rows.map((r) => r.type),
        rows.map((r) => r.signer),
        rows.map((r) => r.statementId),
        rows.map((r) => formatTimestamp(r.recordedAt)),
        nodes.map((n) => n.circle),
        nodes.map((n) => n.level),
        nodes.map((n) => n.index),
        nodes.map((n) => Buffer.from(n.hash)),
        heads.map((h) => h.circle),
        heads.map((h) => h.size),
        heads.map((h) => Buffer.from(h.root)),
        heads.map((h) => (h.lastLeaf ? Buffer.from(h.lastLeaf) : null)),
        heads.map((h) => (h.lastRecordedAt === null ? null : formatTimestamp(h.lastRecordedAt))),
      ],
    );
  }

  /** Which of these (signer, statement id) pairs were already appended anywhere (replay). */
  async seenStatementIds(m: Queryable, pairs: Array<{ signer: string; id: string }>): Promise<Set<string>> {
    if (!pairs.length) return new Set();
    const rows: Array<{ signer: string; statement_id: string }> = await m.query(
      `SELECT e.signer, e.statement_id FROM log_entry e
       JOIN unnest($1::text[], $2::text[]) AS p(signer, id) ON e.signer = p.signer AND e.statement_id = p.id`,
      [pairs.map((p) => p.signer), pairs.map((p) => p.id)],
    );
    return new Set(rows.map((r) => `${r.signer}/${r.statement_id}`));
  }

  /** Entry lines in seq order, from `from`, at most `limit`. */
  async lines(circle: string, from: number, limit: number): Promise<Array<{ seq: number; line: string }>> {
    const rows: Array<{ seq: string; line: string }> = await this.ds.query(
      `SELECT seq, line FROM log_entry WHERE circle = $1 AND seq >= $2 ORDER BY seq LIMIT $3`,
      [circle, from, limit],
    );
    return rows.map((r) => ({ seq: Number(r.seq), line: r.line }));
  }

  /** The lines `signer` signed in the log, below seq `to`, in seq order. */
  async linesSignedBy(circle: string, signer: string, to: number): Promise<Array<{ seq: number; line: string }>> {
    const rows: Array<{ seq: string; line: string }> = await this.ds.query(
      `SELECT seq, line FROM log_entry WHERE signer = $1 AND circle = $2 AND seq < $3 ORDER BY seq`,
      [signer, circle, to],
    );
    return rows.map((r) => ({ seq: Number(r.seq), line: r.line }));
  }

  /** Entries from `from` up to (not including) `to`, at most `limit`, with what the event stream sends of them. */
  async entrySummaries(circle: string, from: number, to: number, limit: number): Promise<EntrySummary[]> {
    const rows: Array<{ seq: string; type: string; leaf: Buffer; recorded_at: Date; line: string }> = await this.ds.query(
      `SELECT seq, type, leaf, recorded_at, line FROM log_entry WHERE circle = $1 AND seq >= $2 AND seq < $3 ORDER BY seq LIMIT $4`,
      [circle, from, to, limit],
    );
    return rows.map((r) => ({ seq: Number(r.seq), type: r.type, leaf: r.leaf.toString('base64url'), recordedAt: r.recorded_at.toISOString(), line: r.line }));
  }

  async entry(circle: string, seq: number): Promise<{ line: string; leaf: Uint8Array; recordedAt: number } | null> {
    const [row]: Array<{ line: string; leaf: Buffer; recorded_at: Date }> = await this.ds.query(
      `SELECT line, leaf, recorded_at FROM log_entry WHERE circle = $1 AND seq = $2`,
      [circle, seq],
    );
    return row ? { line: row.line, leaf: row.leaf, recordedAt: row.recorded_at.getTime() } : null;
  }

  async checkpoint(circle: string, size: number): Promise<string | null> {
    const [row]: Array<{ note: string }> = await this.ds.query(`SELECT note FROM checkpoint WHERE circle = $1 AND size = $2`, [circle, size]);
    return row?.note ?? null;
  }

  /** Store a checkpoint; an existing one for that size wins (checkpoints are never re-signed). */
  async saveCheckpoint(circle: string, size: number, root: Uint8Array, note: string): Promise<string> {
    await this.ds.query(
      `INSERT INTO checkpoint (circle, size, root, note) VALUES ($1, $2, $3, $4) ON CONFLICT (circle, size) DO NOTHING`,
      [circle, size, Buffer.from(root), note],
    );
    return (await this.checkpoint(circle, size)) as string;
  }

  /** Logs that grew past their newest checkpoint, in id order after `after` (a page of at most `limit`). */
  async circlesWithoutCurrentCheckpoint(limit: number, after = ''): Promise<string[]> {
    const rows: Array<{ circle: string }> = await this.ds.query(
      `SELECT h.circle FROM log_head h
       WHERE h.circle > $2 AND NOT EXISTS (SELECT 1 FROM checkpoint c WHERE c.circle = h.circle AND c.size = h.size)
       ORDER BY h.circle
       LIMIT $1`,
      [limit, after],
    );
    return rows.map((r) => r.circle);
  }
}

interface HeadRow {
  circle: string;
  size: string;
  root: Buffer;
  last_leaf: Buffer | null;
  last_recorded_at: Date | null;
}

function toHead(r: HeadRow): LogHead {
  return {
    circle: r.circle,
    size: Number(r.size),
    root: r.root,
    lastLeaf: r.last_leaf,
    lastRecordedAt: r.last_recorded_at ? r.last_recorded_at.getTime() : null,
  };
}
