// The only code that reads and writes the peer tables (SPEC §12.2): the key pinned at first contact
// per peer, the newest checkpoint seen of each of its logs, and the evidence of an equivocation.
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Ed25519PublicJwk } from '../core/formats/keys';

export interface PinnedPeer {
  name: string;
  url: string;
  kid: string;
  jwk: Ed25519PublicJwk;
  noteKey: string;
  pinnedAt: string;
  flaggedAt: string | null;
  flagReason: string | null;
}

/** The newest checkpoint of a peer's log this instance accepted, and its note. */
export type SeenCheckpoint = { size: number; root: Buffer; note: string };

type PeerRow = { name: string; url: string; kid: string; jwk: Ed25519PublicJwk; note_key: string; pinned_at: Date; flagged_at: Date | null; flag_reason: string | null };

const toPeer = (r: PeerRow): PinnedPeer => ({
  name: r.name,
  url: r.url,
  kid: r.kid,
  jwk: r.jwk,
  noteKey: r.note_key,
  pinnedAt: r.pinned_at.toISOString(),
  flaggedAt: r.flagged_at?.toISOString() ?? null,
  flagReason: r.flag_reason,
});

@Injectable()
export class PeersRepository {
  constructor(private readonly ds: DataSource) {}

  async peer(name: string): Promise<PinnedPeer | null> {
    const [row] = await this.ds.query(`SELECT * FROM federation_peer WHERE name = $1`, [name]);
    return row ? toPeer(row) : null;
  }

  async peers(): Promise<PinnedPeer[]> {
    const rows: PeerRow[] = await this.ds.query(`SELECT * FROM federation_peer ORDER BY name`);
    return rows.map(toPeer);
  }

  /** Pins the peer's key unless one is pinned already (the first contact wins); returns the pinned peer. */
  async pin(peer: Omit<PinnedPeer, 'pinnedAt' | 'flaggedAt' | 'flagReason'>): Promise<PinnedPeer> {
    await this.ds.query(
      `INSERT INTO federation_peer (name, url, kid, jwk, note_key) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING`,
      [peer.name, peer.url, peer.kid, JSON.stringify(peer.jwk), peer.noteKey],
    );
    return (await this.peer(peer.name)) as PinnedPeer;
  }

  /** The newest checkpoint of `origin` this instance has accepted from its peer. */
  async seen(origin: string): Promise<SeenCheckpoint | null> {
    const [row] = await this.ds.query(`SELECT size, root, note FROM peer_checkpoint WHERE origin = $1`, [origin]);
    return row ? { size: Number(row.size), root: row.root, note: row.note } : null;
  }

  /**
   * Compare-and-set, in one transaction: with each origin's row locked (an advisory lock, so also
   * for an origin never seen yet), if every origin's newest seen checkpoint is still the one given
   * as `against` (null: none), keeps the larger of it and the given one for each. Otherwise writes
   * nothing and returns, by origin, the checkpoints now seen that differ.
   */
  async sawIfUnchanged(
    items: ReadonlyArray<{ peer: string; origin: string; size: number; root: Uint8Array; note: string; against: SeenCheckpoint | null }>,
  ): Promise<Map<string, SeenCheckpoint | null>> {
    return this.ds.transaction(async (m) => {
      const moved = new Map<string, SeenCheckpoint | null>();
      // Locks taken in one order, so two requests never wait on each other's.
      const origins = [...new Set(items.map((i) => i.origin))].sort();
      for (const origin of origins) await m.query(`SELECT pg_advisory_xact_lock(hashtextextended('peer-checkpoint:' || $1, 0))`, [origin]);
      for (const item of items) {
        const [row] = await m.query(`SELECT size, root, note FROM peer_checkpoint WHERE origin = $1`, [item.origin]);
        const now: SeenCheckpoint | null = row ? { size: Number(row.size), root: row.root, note: row.note } : null;
        const same = now === null ? item.against === null : item.against !== null && now.size === item.against.size && now.root.equals(item.against.root);
        if (!same) moved.set(item.origin, now);
      }
      if (moved.size > 0) return moved;
      for (const item of items) {
        await m.query(
          `INSERT INTO peer_checkpoint (origin, peer, size, root, note) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (origin) DO UPDATE SET size = excluded.size, root = excluded.root, note = excluded.note, updated_at = now()
           WHERE peer_checkpoint.size < excluded.size`,
          [item.origin, item.peer, item.size, Buffer.from(item.root), item.note],
        );
      }
      return moved;
    });
  }

  /** Evidence of an equivocation, kept for good, and the peer flagged (its requests held). */
  async flag(peer: string, origin: string, knownNote: string, note: string, reason: string, request: unknown): Promise<void> {
    await this.ds.transaction(async (m) => {
      await m.query(`INSERT INTO peer_evidence (peer, origin, known_note, note, reason, request) VALUES ($1, $2, $3, $4, $5, $6)`, [
        peer,
        origin,
        knownNote,
        note,
        reason,
        request === undefined ? null : JSON.stringify(request),
      ]);
      await m.query(`UPDATE federation_peer SET flagged_at = coalesce(flagged_at, now()), flag_reason = coalesce(flag_reason, $2) WHERE name = $1`, [peer, reason]);
    });
  }

  async evidence(peer: string): Promise<Array<{ origin: string; reason: string; knownNote: string; note: string; recordedAt: string }>> {
    const rows: Array<{ origin: string; reason: string; known_note: string; note: string; recorded_at: Date }> = await this.ds.query(
      `SELECT origin, reason, known_note, note, recorded_at FROM peer_evidence WHERE peer = $1 ORDER BY id`,
      [peer],
    );
    return rows.map((r) => ({ origin: r.origin, reason: r.reason, knownNote: r.known_note, note: r.note, recordedAt: r.recorded_at.toISOString() }));
  }
}
