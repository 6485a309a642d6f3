// SPEC §3.4–§3.6, §3.8 — what verifying a log reports: failure codes, options, summaries.
import { type PublicKeyHandle } from '../crypto/crypto';
import { Ed25519PublicJwk } from '../formats/keys';
import { ParsedStatement, StatementErrorCode } from '../formats/statement';
import type { KeyView } from '../rules/key-rules';
import { REGISTRY_LOG } from '../formats/entry';
import { Checkpoint } from '../formats/signed-note';

/** The circle name of the instance registry log (SPEC §3.8). */
export const REGISTRY = REGISTRY_LOG;

/** Why an entry fails; statement-level refusals keep the ingestion codes of SPEC §10. */
export type VerificationCode =
  /** the line is not the canonical JCS of an entry with exactly the six members */
  | 'MALFORMED_ENTRY'
  /** the entry's or the payload's `circle` is not this log's */
  | 'WRONG_CIRCLE'
  /** `seq` is not the previous one plus 1 (from 0) */
  | 'BAD_SEQ'
  /** `prev` is not the leaf hash of the previous entry */
  | 'BAD_PREV'
  /** `recordedAt` is earlier than the previous entry's */
  | 'TIME_DECREASES'
  /** entry 0 is not a genesis, or the circle id is not derived from it */
  | 'WRONG_GENESIS'
  /** a registry entry that is not a `member.register` */
  | 'NOT_REGISTRATION'
  /** a key registered twice in the registry */
  | 'DUPLICATE_REGISTRATION'
  /** a system statement not signed by the instance key, or a member statement signed by it */
  | 'WRONG_SIGNER'
  /** the same (kid, payload id) appears twice in the log */
  | 'REPLAYED_ID'
  /** a circle log without its genesis */
  | 'EMPTY_LOG'
  /** SPEC §11: signed by a key that was no key of anyone at that entry's recordedAt (not added yet) */
  | 'UNKNOWN_KEY'
  /** SPEC §11: signed by a key revoked by a registry entry recorded at or before this entry */
  | 'KEY_REVOKED'
  /** SPEC §11: a recovery key signing anything but member.key.add or member.key.revoke */
  | 'RECOVERY_KEY_RESTRICTED'
  /** SPEC §11: a registry entry adding a key that is already someone's key */
  | 'KEY_IN_USE'
  /** SPEC §11: a revocation leaving its member no active key and no recovery key */
  | 'LAST_KEY'
  /** SPEC §11: a key change for another member than the signer's, or a key revoking itself */
  | 'KEY_CHANGE_REFUSED'
  | Exclude<StatementErrorCode, 'CLOCK_SKEW'>;

export class VerificationFailure extends Error {
  override readonly name = 'VerificationFailure';

  constructor(
    /** the position in the log (the seq the entry should have) */
    readonly seq: number,
    readonly code: VerificationCode,
    readonly reason: string,
  ) {
    super(`seq ${seq}: ${reason}`);
  }
}

export type CheckpointCode =
  /** the note does not open under the verifier key, or is not a tlog-checkpoint */
  | 'BAD_CHECKPOINT'
  | 'WRONG_ORIGIN'
  /** the checkpoint covers more entries than the log has */
  | 'CHECKPOINT_AHEAD'
  /** the log's root at the checkpoint's size is not the checkpoint's */
  | 'ROOT_MISMATCH'
  /** an older checkpoint is not a prefix of the log the newer one describes */
  | 'INCONSISTENT'
  /** a consistency proof from an instance does not verify */
  | 'BAD_PROOF';

export class CheckpointFailure extends Error {
  override readonly name = 'CheckpointFailure';

  constructor(
    readonly code: CheckpointCode,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export type { Checkpoint };

/** Member keys from the registry, plus the instance key (looked up by its kid). */
export type KeyLookup = (kid: string) => PublicKeyHandle | undefined;

export interface LogVerifierOptions {
  /** the circle id, or 'registry' for the instance registry log */
  circle: string;
  /** not consulted for the registry: a registration is verified under its own header jwk */
  keys?: KeyLookup;
  /** RFC 7638 thumbprint of the instance's public JWK: the only kid of system statements */
  instanceKid?: string;
  /** tree sizes at which to keep the root, for checkpoints smaller than the log */
  rootsAt?: Iterable<number>;
  /**
   * SPEC §11: every key of the registry over time (from the verified registry log). With it, each
   * member statement of a circle log is checked against its key's validity at the entry's
   * recordedAt; without it, only against `keys`.
   */
  keyBook?: KeyView;
}

/** The ordered part of an entry, as the stateless half hands it on. */
export interface EntryHead {
  circle: string;
  seq: number;
  prev: string | null;
  recordedAt: string;
}

export interface Problem {
  code: VerificationCode;
  reason: string;
}

/**
 * What `inspectLine` found out about one line without knowing the entries
 * before it. Structured-cloneable (no PublicKeyHandle) except in the registry, so
 * worker threads can hand it back.
 */
export interface InspectedEntry {
  /** null when the line is not a well-formed entry (`problem` says why) */
  head: EntryHead | null;
  leaf: Uint8Array | null;
  /** the first stateless problem, reported after the ordering checks */
  problem: Problem | null;
  /** the signer's kid and the payload id, for replay detection */
  kid: string | null;
  id: string | null;
  /** registry only: the key the entry registers */
  registration?: { jwk: Ed25519PublicJwk; key: PublicKeyHandle };
  /**
   * registry only: the statement, for the ordered half (a key change is signed by a key the
   * registry made earlier: its signature is checked there, against the keys over time)
   */
  statement?: ParsedStatement;
}

export interface LogSummary {
  circle: string;
  size: number;
  root: Uint8Array;
  lastLeaf: Uint8Array | null;
  lastRecordedAt: string | null;
  /** roots at the sizes asked for in `rootsAt` that the log reached */
  roots: ReadonlyMap<number, Uint8Array>;
}

/** The instance's key, as derived from its signed-note verifier key (SPEC §3.8). */
export interface InstanceIdentity {
  /** the signed-note verifier key it was derived from */
  noteKey: string;
  /** the key name: the instance name, prefix of every origin */
  name: string;
  kid: string;
  jwk: Ed25519PublicJwk;
  key: PublicKeyHandle;
}

export function problem(code: VerificationCode, reason: string): Problem {
  return { code, reason };
}
