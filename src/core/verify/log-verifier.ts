// SPEC §3.5 — the ordered half of verification: seq, prev, recordedAt, replays, the Merkle root.
import { type PublicKeyHandle } from '../crypto/crypto';
import { base64url } from '../formats/canonical-json';
import { prevOf } from '../formats/entry';
import { EMPTY_ROOT, StreamingMerkle } from '../formats/merkle';
import { InspectedEntry, InstanceIdentity, KeyLookup, LogSummary, LogVerifierOptions, Problem, problem, REGISTRY, VerificationFailure } from './verification';
import { InspectContext, inspectLine, noKeys } from './inspect-line';
import { formatTimestamp, parseTimestamp } from '../formats/canonical-json';
import { publicKeyFromJwk } from '../formats/keys';
import { verifySignature } from '../formats/statement';
import { DomainError } from '../rules/domain-error';
import { decideKeyAdd, decideKeyRevoke, decideRecoverySet, decideRegister, KeyBook, type KeyView, signerOf } from '../rules/key-rules';
import type { Decision } from '../rules/state';
import { InspectedBatch, LEAF_BYTES, META_BYTES, TIMESTAMP_CHARS, latin1, sameBytes } from './batch-inspector';

// ---------------------------------------------------------------- the ordered half

/** A verified prefix of a log: enough to verify what follows it. */
export interface VerifiedPrefix {
  size: number;
  /** StreamingMerkle frontier at `size`, largest subtree first */
  frontier: Uint8Array[];
  lastLeaf: Uint8Array | null;
  lastRecordedAt: string | null;
}

/**
 * Verifies one log, entry by entry, in order. `push` throws a
 * VerificationFailure at the first failing entry; the verifier then stays
 * failed and every later call throws the same failure.
 */
export class LogVerifier {
  readonly circle: string;
  private readonly ctx: InspectContext;
  private merkle = new StreamingMerkle();
  private readonly wantedRoots: Set<number>;
  private readonly roots = new Map<number, Uint8Array>();
  private readonly seenIds = new Set<string>();
  /** Registry: every key so far (registration, added and recovery keys) → its public key. */
  private readonly members = new Map<string, PublicKeyHandle>();
  /** Registry: the keys over time (SPEC §11). */
  private readonly book = new KeyBook();
  /** Registry: per key, the last registry entry it signed (seq, recordedAt), for a revocation's time. */
  private readonly lastSignedBy = new Map<string, { seq: number; recordedAt: string }>();
  /** Circle logs: the registry's keys over time, and per kid its validity as timestamps (string order is time order). */
  private readonly keysOverTime: KeyView | undefined;
  private readonly validity = new Map<string, { from: string; until: string | null; recovery: boolean } | null>();
  private lastLeaf: Uint8Array | null = null;
  /** prevOf(lastLeaf), computed when first needed (the batch path compares bytes instead) */
  private lastPrevCache: string | null = null;
  private lastRecordedAt: string | null = null;
  private failure: VerificationFailure | null = null;

  constructor(options: LogVerifierOptions) {
    this.circle = options.circle;
    this.ctx = { circle: options.circle, keys: options.keys ?? noKeys, instanceKid: options.instanceKid ?? '' };
    this.wantedRoots = new Set(options.rootsAt ?? []);
    this.keysOverTime = options.keyBook;
    if (this.wantedRoots.has(0)) this.roots.set(0, EMPTY_ROOT.slice());
  }

  /**
   * A verifier that goes on after `state.size` entries someone verified before (an incremental
   * audit): the Merkle frontier, the last leaf and time are taken as verified; replays are then
   * only checked among the new entries (a full pass checks them all).
   */
  static resume(options: LogVerifierOptions, state: VerifiedPrefix): LogVerifier {
    const verifier = new LogVerifier(options);
    if (state.size === 0) return verifier;
    verifier.merkle = StreamingMerkle.resume(state.size, state.frontier);
    verifier.lastLeaf = state.lastLeaf;
    verifier.lastRecordedAt = state.lastRecordedAt;
    return verifier;
  }

  /** What `resume` needs to go on from here. */
  get prefix(): VerifiedPrefix {
    return { size: this.size, frontier: this.merkle.frontier, lastLeaf: this.lastLeaf, lastRecordedAt: this.lastRecordedAt };
  }

  /** Entries accepted so far. */
  get size(): number {
    return this.merkle.size;
  }

  /** The first failure, once there is one. */
  get failed(): VerificationFailure | null {
    return this.failure;
  }

  /** One exported line, without its newline: a string, or its exact bytes. */
  push(line: string | Uint8Array): void {
    this.throwIfFailed();
    this.accept(inspectLine(line, this.ctx));
  }

  /** The ordered checks, on a line inspected here or on a worker thread with the same options. */
  accept(inspected: InspectedEntry): void {
    this.throwIfFailed();
    const seq = this.merkle.size;
    const { head, leaf } = inspected;
    if (head === null || leaf === null) return this.fail(seq, inspected.problem ?? problem('MALFORMED_ENTRY', 'not a log entry'));
    if (head.circle !== this.circle) return this.fail(seq, problem('WRONG_CIRCLE', `entry is for ${head.circle}, not ${this.circle}`));
    if (head.seq !== seq) return this.fail(seq, problem('BAD_SEQ', `seq is ${head.seq}, expected ${seq}`));
    const lastPrev = this.lastPrev();
    if (head.prev !== lastPrev) {
      return this.fail(seq, problem('BAD_PREV', `prev is ${head.prev}, not the leaf hash of entry ${seq - 1} (${lastPrev})`));
    }
    // §3.1 timestamps have one fixed width, so string order is time order.
    if (this.lastRecordedAt !== null && head.recordedAt < this.lastRecordedAt) {
      return this.fail(seq, problem('TIME_DECREASES', `recordedAt ${head.recordedAt} is before ${this.lastRecordedAt}`));
    }
    if (inspected.problem !== null) return this.fail(seq, inspected.problem);
    if (inspected.kid === null || inspected.id === null) return this.fail(seq, problem('MALFORMED_JWS', 'statement was not inspected'));
    const replayKey = `${inspected.kid} ${inspected.id}`;
    if (this.seenIds.has(replayKey)) {
      return this.fail(seq, problem('REPLAYED_ID', `statement id ${inspected.id} of ${inspected.kid} appears twice`));
    }
    if (this.circle === REGISTRY) {
      const p = this.registryEntry(inspected, seq, head.recordedAt);
      if (p !== null) return this.fail(seq, p);
    } else {
      const p = this.keyProblem(inspected.kid, head.recordedAt);
      if (p !== null) return this.fail(seq, p);
    }
    this.seenIds.add(replayKey);
    this.append(leaf, head.recordedAt);
  }

  /**
   * The ordered checks on a batch of lines inspected by `BatchInspector` (on
   * a worker thread, with the same circle, keys and instance kid), in order.
   * A line the inspector fully checked carries only its seq, prev (as bytes),
   * recordedAt, kid and id: when all the ordered checks pass it is appended
   * here directly; otherwise it is rebuilt as the `InspectedEntry` that
   * `inspectLine` returns for it and handed to `accept`, which then reports
   * exactly the failure the reference path reports. Lines the inspector left
   * to `inspectLine` go to `accept` as they are.
   */
  acceptBatch(batch: InspectedBatch, kids: readonly string[]): void {
    this.throwIfFailed();
    if (batch.circle !== this.circle) throw new Error(`acceptBatch: a batch inspected for ${batch.circle}, not ${this.circle}`);
    const { n, leaves, prevs, info, others } = batch;
    const meta = latin1(batch.meta, 0, batch.meta.length);
    let other = 0;
    for (let i = 0; i < n; i++) {
      const leaf = leaves.subarray(LEAF_BYTES * i, LEAF_BYTES * (i + 1));
      const kidIndex = info[2 * i + 1];
      if (kidIndex < 0) {
        const [index, inspected] = others[other++];
        if (index !== i) throw new Error(`acceptBatch: line ${i} of the batch is missing`);
        if (inspected.head !== null) inspected.leaf = leaf;
        this.accept(inspected);
        continue;
      }
      const seq = info[2 * i];
      const recordedAt = meta.slice(META_BYTES * i, META_BYTES * i + TIMESTAMP_CHARS);
      const id = meta.slice(META_BYTES * i + TIMESTAMP_CHARS, META_BYTES * (i + 1));
      const kid = kids[kidIndex];
      const replayKey = `${kid} ${id}`;
      const last = this.lastLeaf;
      if (
        seq !== this.merkle.size ||
        last === null ||
        !sameBytes(prevs, LEAF_BYTES * i, last) ||
        (this.lastRecordedAt !== null && recordedAt < this.lastRecordedAt) ||
        this.seenIds.has(replayKey) ||
        (this.keysOverTime !== undefined && this.keyProblem(kid, recordedAt) !== null)
      ) {
        const prev = base64url(prevs.subarray(LEAF_BYTES * i, LEAF_BYTES * (i + 1)));
        this.accept({ head: { circle: this.circle, seq, prev, recordedAt }, leaf, problem: null, kid, id });
        continue;
      }
      this.seenIds.add(replayKey);
      this.append(leaf, recordedAt);
    }
    if (other !== others.length) throw new Error('acceptBatch: the batch holds more lines than it says');
  }

  /**
   * SPEC §11, in a circle log: a member statement's key was added at or before the entry, not
   * revoked at or before it, and is no recovery key. System statements (the instance's kid) and
   * verifiers without the registry's keys over time skip it.
   */
  private keyProblem(kid: string, recordedAt: string): Problem | null {
    if (this.keysOverTime === undefined || kid === this.ctx.instanceKid) return null;
    let v = this.validity.get(kid);
    if (v === undefined) {
      const r = this.keysOverTime.key(kid);
      v = r ? { from: formatTimestamp(r.addedAt), until: r.revokedAt === null ? null : formatTimestamp(r.revokedAt), recovery: r.role === 'recovery' } : null;
      this.validity.set(kid, v);
    }
    if (v === null || v.from > recordedAt) return problem('UNKNOWN_KEY', `signed by ${kid}, which is no member's key at ${recordedAt}`);
    if (v.until !== null && v.until <= recordedAt) return problem('KEY_REVOKED', `signed by ${kid} at ${recordedAt}, after its revocation at ${v.until}`);
    if (v.recovery) return problem('RECOVERY_KEY_RESTRICTED', `signed by the recovery key ${kid}: a recovery key signs only member.key.add and member.key.revoke`);
    return null;
  }

  /**
   * SPEC §3.8, §11: one registry entry, decided against the keys over time so far, then applied.
   * An entry that revokes a key (a revocation, or a recovery key's replacement) must be recorded
   * after every registry entry that key signed: one recorded at the same millisecond would make
   * that earlier entry invalid (a revoking entry with recordedAt ≤ its own), so it is refused.
   */
  private registryEntry(inspected: InspectedEntry, seq: number, recordedAtText: string): Problem | null {
    const parsed = inspected.statement;
    const kid = inspected.kid as string;
    if (parsed === undefined) return problem('NOT_REGISTRATION', 'entry registers no key');
    const at = parseTimestamp(recordedAtText) as number;
    const p = parsed.payload;
    let decision: Decision;
    try {
      if (p.type === 'member.register') {
        const registration = inspected.registration;
        if (registration === undefined) return problem('NOT_REGISTRATION', 'entry registers no key');
        if (this.book.key(kid)?.member === kid) return problem('DUPLICATE_REGISTRATION', `key ${kid} is registered twice`);
        decision = decideRegister(p, kid, registration.jwk, this.book, at);
      } else {
        const record = this.book.key(kid);
        const signer = signerOf(record, kid, p.type, at);
        const key = this.members.get(kid);
        if (key === undefined || !verifySignature(parsed, key)) return problem('BAD_SIGNATURE', 'signature does not verify');
        if (p.type === 'member.key.add') decision = decideKeyAdd(p, signer, this.book, at);
        else if (p.type === 'member.key.revoke') decision = decideKeyRevoke(p, signer, kid, this.book, at);
        else if (p.type === 'member.recovery.set') decision = decideRecoverySet(p, signer, this.book, at);
        else return problem('NOT_REGISTRATION', `the registry holds only member.register and key changes, not ${p.type}`);
      }
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      const code = e.code === 'ALREADY_REGISTERED' ? 'DUPLICATE_REGISTRATION' : keyCode(e.code);
      return problem(code, `${p.type}: ${e.message}`);
    }
    for (const effect of decision.effects) {
      if (effect.kind !== 'key.revoked') continue;
      const signed = this.lastSignedBy.get(effect.kid);
      // Time never decreases along the log, so "at or before" can only be the same millisecond.
      if (signed !== undefined && signed.recordedAt >= recordedAtText) {
        return problem(
          'KEY_REVOKED',
          `${p.type} revokes key ${effect.kid} at ${recordedAtText}, but entry ${signed.seq}, signed by that key, is recorded at ${signed.recordedAt}: ` +
            'a revocation must be recorded strictly after every entry its key signed, or that entry is signed by a revoked key',
        );
      }
    }
    for (const effect of decision.effects) {
      this.book.apply(effect);
      if (effect.kind === 'key.added') this.members.set(effect.key.kid, publicKeyFromJwk(effect.key.jwk));
    }
    this.lastSignedBy.set(kid, { seq, recordedAt: recordedAtText });
    return null;
  }

  private append(leaf: Uint8Array, recordedAt: string): void {
    this.merkle.push(leaf);
    this.lastLeaf = leaf;
    this.lastPrevCache = null;
    this.lastRecordedAt = recordedAt;
    if (this.wantedRoots.size > 0 && this.wantedRoots.has(this.merkle.size)) this.roots.set(this.merkle.size, this.merkle.root());
  }

  /** The `prev` the next entry must have: null before the first one. */
  private lastPrev(): string | null {
    if (this.lastLeaf === null) return null;
    this.lastPrevCache ??= prevOf(this.lastLeaf);
    return this.lastPrevCache;
  }

  /** The verified log; throws the failure if there was one, or EMPTY_LOG for a circle log without genesis. */
  finish(): LogSummary {
    this.throwIfFailed();
    if (this.size === 0 && this.circle !== REGISTRY) {
      this.fail(0, problem('EMPTY_LOG', 'the log is empty: a circle log starts with its genesis'));
    }
    return {
      circle: this.circle,
      size: this.size,
      root: this.merkle.root(),
      lastLeaf: this.lastLeaf,
      lastRecordedAt: this.lastRecordedAt,
      roots: new Map(this.roots),
    };
  }

  /**
   * From now on, keep the roots at exactly these sizes (for `finish().roots`), forgetting those kept
   * before: a verifier kept to go on with later entries (the self-audit's registry) is told the
   * newer checkpoints so, and holds no root it no longer needs. A size the log has already passed
   * is not kept.
   */
  keepRootsAt(sizes: Iterable<number>): void {
    this.roots.clear();
    this.wantedRoots.clear();
    for (const size of sizes) {
      if (size > this.merkle.size) this.wantedRoots.add(size);
      else if (size === this.merkle.size) this.roots.set(size, this.merkle.root());
    }
  }

  /** Registry only: key id → public key, for every key accepted so far (registration, added and recovery keys). */
  memberKeys(): Map<string, PublicKeyHandle> {
    return new Map(this.members);
  }

  /** Registry only: the keys over time accepted so far (SPEC §11), for `LogVerifierOptions.keyBook`. */
  keyBook(): KeyBook {
    return new KeyBook(this.book.records());
  }

  private fail(seq: number, p: Problem): never {
    this.failure = new VerificationFailure(seq, p.code, p.reason);
    throw this.failure;
  }

  private throwIfFailed(): void {
    if (this.failure !== null) throw this.failure;
  }
}

/** Verifies a whole registry log and returns member id → public key. Throws a VerificationFailure. */
export function registryKeys(lines: Iterable<string | Uint8Array>): Map<string, PublicKeyHandle> {
  const verifier = new LogVerifier({ circle: REGISTRY });
  for (const line of lines) verifier.push(line);
  verifier.finish();
  return verifier.memberKeys();
}

/** The lookup a circle log is verified with: registered members, and the instance under its kid. */
export function keyLookup(members: ReadonlyMap<string, PublicKeyHandle>, instance: Pick<InstanceIdentity, 'kid' | 'key'>): KeyLookup {
  return (kid) => (kid === instance.kid ? instance.key : members.get(kid));
}

/** The verification code of a key rule's refusal. */
function keyCode(code: string): Problem['code'] {
  switch (code) {
    case 'UNKNOWN_KEY':
    case 'KEY_REVOKED':
    case 'RECOVERY_KEY_RESTRICTED':
    case 'KEY_IN_USE':
    case 'LAST_KEY':
      return code;
    default:
      return 'KEY_CHANGE_REFUSED';
  }
}
