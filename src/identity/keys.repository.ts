// The only code that reads and writes the member_key table (SPEC §11: every key of every member,
// projected from the registry log), and takes the advisory lock that orders revocations against
// the statements signed by the keys they revoke (see key-index.service.ts).
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { LoadedState, StateNeeds } from '../core/rules/batch-state';
import type { KeyRecord } from '../core/rules/key-rules';
import type { Effect } from '../core/rules/state';
import type { PlacedEffect } from '../core/rules/state';

type Queryable = Pick<EntityManager, 'query'>;

/** pg advisory lock key: held shared by every append of member statements, exclusively by a revocation. */
export const KEYS_LOCK = 0x4b455953; // 'KEYS'

export interface KeyRow extends KeyRecord {
  addedSeq: number;
  revokedSeq: number | null;
}

const COLUMNS = `kid, member, jwk, role, added_seq, (extract(epoch FROM added_at) * 1000)::bigint AS added_at,
                 revoked_seq, (extract(epoch FROM revoked_at) * 1000)::bigint AS revoked_at`;

interface Row {
  kid: string;
  member: string;
  jwk: KeyRecord['jwk'];
  role: KeyRecord['role'];
  added_seq: string;
  added_at: string;
  revoked_seq: string | null;
  revoked_at: string | null;
}

/** The columns named alike kept; seqs and times (ms since the epoch) from bigint text to numbers. */
function toRow({ added_seq, added_at, revoked_seq, revoked_at, ...alike }: Row): KeyRow {
  const orNull = (v: string | null) => (v === null ? null : Number(v));
  return { ...alike, addedAt: Number(added_at), addedSeq: Number(added_seq), revokedAt: orNull(revoked_at), revokedSeq: orNull(revoked_seq) };
}

@Injectable()
export class KeysRepository {
  constructor(private readonly ds: DataSource) {}

  async byKid(kid: string, q: Queryable = this.ds): Promise<KeyRow | null> {
    const [row] = (await q.query(`SELECT ${COLUMNS} FROM member_key WHERE kid = $1`, [kid])) as Row[];
    return row ? toRow(row) : null;
  }

  /** Every key of a member, in the order added. */
  async ofMember(member: string, q: Queryable = this.ds): Promise<KeyRow[]> {
    const rows = (await q.query(`SELECT ${COLUMNS} FROM member_key WHERE member = $1 ORDER BY added_seq, role`, [member])) as Row[];
    return rows.map(toRow);
  }

  /** The keys a writer batch decides registry statements with. */
  async load(q: Queryable, needs: StateNeeds): Promise<Pick<LoadedState, 'keys'>> {
    if (!needs.keys.size && !needs.keyMembers.size) return { keys: [] };
    const rows = (await q.query(`SELECT ${COLUMNS} FROM member_key WHERE kid = ANY($1::text[]) OR member = ANY($2::text[])`, [
      [...needs.keys],
      [...needs.keyMembers],
    ])) as Row[];
    return { keys: rows.map((r) => { const { addedSeq: _a, revokedSeq: _r, ...record } = toRow(r); return record; }) };
  }

  /**
   * Take the keys lock for this transaction (shared, or exclusive for a revocation), then read the
   * revocation epoch: the registry seq of the latest revocation committed. Two statements, sent
   * together: the second takes its snapshot once the lock is granted.
   */
  lockAndEpoch(m: Queryable, exclusive: boolean): Promise<number> {
    const lock = m.query(exclusive ? `SELECT pg_advisory_xact_lock($1)` : `SELECT pg_advisory_xact_lock_shared($1)`, [KEYS_LOCK]);
    lock.catch(() => undefined);
    const epoch = m.query(`SELECT coalesce(max(revoked_seq), -1) AS epoch FROM member_key WHERE revoked_seq IS NOT NULL`);
    return Promise.all([lock, epoch]).then(([, rows]) => Number((rows as Array<{ epoch: string }>)[0].epoch));
  }

  /** Keys revoked (or recovery keys replaced) by registry entries after `epoch`. */
  async revokedSince(m: Queryable, epoch: number): Promise<KeyRow[]> {
    const rows = (await m.query(`SELECT ${COLUMNS} FROM member_key WHERE revoked_seq > $1`, [epoch])) as Row[];
    return rows.map(toRow);
  }

  /** The latest recordedAt (ms) of any entry signed for this member, in any log (null: none). */
  async lastSignedAt(m: Queryable, member: string): Promise<number | null> {
    const [row] = (await m.query(`SELECT (extract(epoch FROM max(recorded_at)) * 1000)::bigint AS at FROM log_entry WHERE signer = $1`, [member])) as Array<{
      at: string | null;
    }>;
    return row?.at == null ? null : Number(row.at);
  }

  /**
   * Persist a run of key effects (see statements/projections.ts), in order on the connection:
   * every query is issued before this returns (the writer's COMMIT follows them in the same flight).
   */
  applyRun(m: EntityManager, run: PlacedEffect[]): Promise<unknown> {
    return Promise.all(
      run.map(({ effect, seq }) => {
        const e = effect as Extract<Effect, { kind: 'key.added' | 'key.revoked' }>;
        if (e.kind === 'key.added') {
          const k = e.key;
          return m.query(
            `INSERT INTO member_key (kid, member, jwk, role, added_seq, added_at) VALUES ($1, $2, $3, $4, $5, to_timestamp($6::double precision / 1000))`,
            [k.kid, k.member, JSON.stringify(k.jwk), k.role, seq, k.addedAt],
          );
        }
        return m.query(
          `UPDATE member_key SET revoked_seq = $2, revoked_at = to_timestamp($3::double precision / 1000) WHERE kid = $1 AND revoked_seq IS NULL`,
          [e.kid, seq, e.at],
        );
      }),
    );
  }
}
