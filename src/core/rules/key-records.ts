// SPEC §11 — the keys of members over time, as the rules and the state see them (types only).
import type { Ed25519PublicJwk } from '../formats/keys';

/** `active`: signs for the member; `recovery`: kept offline, signs only key additions and revocations. */
export type KeyRole = 'active' | 'recovery';

/** One key, as the registry log made it: whose, which role, and when (ms since the epoch). */
export interface KeyRecord {
  kid: string;
  member: string;
  jwk: Ed25519PublicJwk;
  role: KeyRole;
  /** `recordedAt` of the registry entry that made it a key */
  addedAt: number;
  /** `recordedAt` of the registry entry that revoked (or, for a recovery key, replaced) it */
  revokedAt: number | null;
}

/** The keys a decision looks up: by thumbprint, and all of one member's. */
export interface KeyView {
  key(kid: string): KeyRecord | undefined;
  /** Every key of the member (active and recovery, revoked or not), in the order added. */
  keysOf(member: string): readonly KeyRecord[];
}
