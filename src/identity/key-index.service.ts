// SPEC §11: the in-memory key index of this process. Every member statement names its signing key
// by thumbprint (`kid`); the index answers, without a query, whose key it is, its public key
// (imported once), and when it was added and revoked.
//
// Kept in sync across API processes without a query per statement:
// - a key this process has not seen yet (added through another process) is read from member_key
//   on first use, then kept;
// - revocations: the only change to a known key. Every writer transaction that appends member
//   statements holds the keys advisory lock shared and reads the revocation epoch (the registry seq
//   of the latest revocation) in the same round trip as its other reads; a transaction appending a
//   revocation holds it exclusively. So no statement signed by a key is being appended while the
//   key is revoked, and a writer that sees a newer epoch than the index reloads the keys revoked
//   since, before it checks any statement. Effects of this process's own batches are applied once
//   committed.
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PublicKeyHandle } from '../core/crypto/crypto';
import { PublicKeyCache } from '../core/formats/keys';
import type { KeyRecord } from '../core/rules/key-rules';
import type { Effect } from '../core/rules/state';
import { KeysRepository } from './keys.repository';

export interface IndexedKey {
  record: KeyRecord;
  /** the imported public key (importing costs about as much as one verification) */
  publicKey: PublicKeyHandle;
}

/** Imported public keys kept at once (records are small and all kept; handles are re-imported on a miss). */
const PUBLIC_KEY_CACHE_SIZE = 50_000;

@Injectable()
export class KeyIndexService {
  private readonly keys = new Map<string, { record: KeyRecord }>();
  private readonly publicKeys = new PublicKeyCache(PUBLIC_KEY_CACHE_SIZE);
  /** The registry seq of the latest revocation the index knows (-1: none yet). */
  private epoch = -1;
  private epochKnown = false;

  constructor(private readonly repository: KeysRepository) {}

  /** The key as this process knows it (no query). */
  get(kid: string): KeyRecord | undefined {
    return this.keys.get(kid)?.record;
  }

  /** The key, read from member_key the first time this process meets it; undefined for no key of anyone. */
  async lookup(kid: string): Promise<IndexedKey | undefined> {
    let known = this.keys.get(kid);
    while (!known) {
      // A revocation the index learns while the row is read may be newer than the row: read again.
      const epoch = this.epoch;
      const row = await this.repository.byKid(kid);
      if (!row) return undefined;
      known = this.keys.get(kid); // another caller may have put it (and a later revocation) meanwhile
      if (!known && epoch === this.epoch) {
        const { addedSeq: _a, revokedSeq: _r, ...record } = row;
        this.keys.set(kid, (known = { record }));
      }
    }
    return { record: known.record, publicKey: this.publicKeys.getOrImport(known.record.jwk, kid) };
  }

  /**
   * In a writer transaction: take the keys lock (exclusive when the batch revokes a key) and bring
   * the index's revocations up to date. Issues its queries at once (pipelined with the caller's).
   */
  async sync(m: EntityManager, exclusive: boolean): Promise<void> {
    const epoch = await this.repository.lockAndEpoch(m, exclusive);
    if (this.epochKnown && epoch <= this.epoch) return;
    // The first sync of this process reads every revocation (keys cached before were read unlocked).
    const revoked = await this.repository.revokedSince(m, this.epochKnown ? this.epoch : -1);
    for (const row of revoked) {
      const known = this.keys.get(row.kid);
      if (known) known.record = { ...known.record, revokedAt: row.revokedAt };
    }
    this.epoch = Math.max(this.epoch, epoch);
    this.epochKnown = true;
  }

  /**
   * After a writer transaction committed: its key effects. (The epoch is left as it was: the next
   * sync reads the revocations since, this one included, once.)
   */
  committed(effects: Array<{ effect: Effect }>): void {
    for (const { effect } of effects) {
      if (effect.kind === 'key.added') {
        if (!this.keys.has(effect.key.kid)) this.keys.set(effect.key.kid, { record: { ...effect.key } });
      } else if (effect.kind === 'key.revoked') {
        const known = this.keys.get(effect.kid);
        if (known && known.record.revokedAt === null) known.record = { ...known.record, revokedAt: effect.at };
      }
    }
  }
}
