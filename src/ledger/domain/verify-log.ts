// SPEC §3.4–§3.6, §3.8 — offline verification of a log (a circle's, or the
// instance registry) and of the checkpoints that describe it. Pure and
// streaming: the CLI, the tests and the server feed it one exported line at a
// time. Checks formats and signatures, not governance rules.
//
// Verification of one entry is split in two so that the stateless, costly part
// (decoding, JWS parsing, signature) can run on worker threads while the
// ordered part (seq, prev, recordedAt, replays, Merkle root) runs on one
// thread: `inspectLine` is the first half, `LogVerifier.accept` the second,
// and `LogVerifier.push` is simply both. Every caller runs these same two
// functions, so a parallel run reaches exactly the verdict of a serial one.
import { KeyObject } from 'node:crypto';
import { Ed25519PublicJwk, memberIdOf, publicKeyFromJwk } from '../../identity/domain/keys';
import { assertSignature, parseCompact, ParsedStatement, StatementError, StatementErrorCode } from '../../identity/domain/statement';
import { STATEMENT_TYP, SYSTEM_TYP } from '../../identity/domain/statement-types';
import { derivedId } from '../../statements/domain/decide';
import { base64url, fromBase64url } from './canonical-json';
import { decodeEntryBytes, decodeEntryLine, DecodeEntryResult, LogEntry, prevOf, REGISTRY_LOG } from './entry';
import { EMPTY_ROOT, StreamingMerkle, verifyConsistency } from './merkle';
import { Checkpoint, openNote, parseCheckpoint, parseVerifierKey } from './signed-note';

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
export type KeyLookup = (kid: string) => KeyObject | undefined;

export interface LogVerifierOptions {
  /** the circle id, or 'registry' for the instance registry log */
  circle: string;
  /** not consulted for the registry: a registration is verified under its own header jwk */
  keys?: KeyLookup;
  /** RFC 7638 thumbprint of the instance's public JWK: the only kid of system statements */
  instanceKid?: string;
  /** tree sizes at which to keep the root, for checkpoints smaller than the log */
  rootsAt?: Iterable<number>;
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
 * before it. Structured-cloneable (no KeyObject) except in the registry, so
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
  registration?: { jwk: Ed25519PublicJwk; key: KeyObject };
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
  key: KeyObject;
}

// ---------------------------------------------------------------- the stateless half

/** What inspecting a line needs: the log's circle, the keys, the instance kid. */
export type InspectContext = Required<Pick<LogVerifierOptions, 'circle' | 'keys' | 'instanceKid'>>;

const noKeys: KeyLookup = () => undefined;

function decodeLine(line: string | Uint8Array): DecodeEntryResult {
  return typeof line === 'string' ? decodeEntryLine(line) : decodeEntryBytes(line);
}

function problem(code: VerificationCode, reason: string): Problem {
  return { code, reason };
}

/**
 * Everything about one line that needs no earlier entry: its decoding, its
 * leaf hash, the JWS (header, canonical payload, schema), the signer's key
 * and signature, and whether the payload belongs in this log (genesis id at
 * seq 0). Bad input never throws: it becomes the `problem`.
 */
export function inspectLine(line: string | Uint8Array, ctx: InspectContext): InspectedEntry {
  const decoded = decodeLine(line);
  if (!decoded.ok) {
    return { head: null, leaf: null, problem: problem('MALFORMED_ENTRY', `not a log entry: ${decoded.reason}`), kid: null, id: null };
  }
  const { entry, leaf } = decoded;
  const head: EntryHead = { circle: entry.circle, seq: entry.seq, prev: entry.prev, recordedAt: entry.recordedAt };
  const result: InspectedEntry = { head, leaf, problem: null, kid: null, id: null };

  let parsed: ParsedStatement;
  try {
    parsed = parseCompact(entry.jws);
  } catch (e) {
    result.problem = statementProblem(e);
    return result;
  }
  result.kid = parsed.header.kid;
  result.id = parsed.payload.id;
  try {
    const key = ctx.circle === REGISTRY ? checkRegistration(parsed, result) : checkCircleStatement(parsed, entry, ctx);
    assertSignature(parsed, key);
  } catch (e) {
    result.problem = e instanceof WrongPlace ? e.problem : statementProblem(e);
    delete result.registration;
  }
  return result;
}

class WrongPlace extends Error {
  constructor(readonly problem: Problem) {
    super(problem.reason);
  }
}

function statementProblem(e: unknown): Problem {
  if (e instanceof StatementError) {
    const code = e.code === 'CLOCK_SKEW' ? 'INVALID_STATEMENT' : e.code;
    return problem(code, `statement: ${e.message}${e.field ? ` (${e.field})` : ''}`);
  }
  throw e;
}

function checkRegistration(parsed: ParsedStatement, result: InspectedEntry): KeyObject {
  if (parsed.payload.type !== 'member.register' || parsed.header.typ !== STATEMENT_TYP || parsed.header.jwk === undefined) {
    throw new WrongPlace(problem('NOT_REGISTRATION', `the registry holds only member.register, not ${parsed.payload.type}`));
  }
  // parseCompact has checked that kid is the thumbprint of this jwk.
  const key = publicKeyFromJwk(parsed.header.jwk);
  result.registration = { jwk: parsed.header.jwk, key };
  return key;
}

function checkCircleStatement(parsed: ParsedStatement, entry: LogEntry, ctx: InspectContext): KeyObject | undefined {
  const { payload, header } = parsed;
  if (entry.seq === 0) {
    if (payload.type !== 'circle.create' && payload.type !== 'circle.forked') {
      throw new WrongPlace(problem('WRONG_GENESIS', `entry 0 must be circle.create or circle.forked, not ${payload.type}`));
    }
    const derived = derivedId(entry.jws);
    if (derived !== ctx.circle) {
      throw new WrongPlace(problem('WRONG_GENESIS', `the genesis names circle ${derived}, not ${ctx.circle}`));
    }
  } else if (payload.type === 'member.register') {
    throw new WrongPlace(problem('WRONG_CIRCLE', 'member.register belongs in the registry log'));
  } else if (payload.circle === null) {
    throw new WrongPlace(problem('WRONG_CIRCLE', `${payload.type} is a genesis: it can only be entry 0`));
  } else if (payload.circle !== ctx.circle) {
    throw new WrongPlace(problem('WRONG_CIRCLE', `statement is for circle ${payload.circle}, not ${ctx.circle}`));
  }
  if (header.typ === SYSTEM_TYP) {
    if (header.kid !== ctx.instanceKid) {
      throw new WrongPlace(problem('WRONG_SIGNER', `system statement signed by ${header.kid}, not the instance key`));
    }
  } else if (header.kid === ctx.instanceKid) {
    throw new WrongPlace(problem('WRONG_SIGNER', 'member statement signed with the instance key'));
  }
  return ctx.keys(header.kid);
}

// ---------------------------------------------------------------- the ordered half

/**
 * Verifies one log, entry by entry, in order. `push` throws a
 * VerificationFailure at the first failing entry; the verifier then stays
 * failed and every later call throws the same failure.
 */
export class LogVerifier {
  readonly circle: string;
  private readonly ctx: InspectContext;
  private readonly merkle = new StreamingMerkle();
  private readonly wantedRoots: ReadonlySet<number>;
  private readonly roots = new Map<number, Uint8Array>();
  private readonly seenIds = new Set<string>();
  private readonly members = new Map<string, KeyObject>();
  private lastLeaf: Uint8Array | null = null;
  private lastPrev: string | null = null;
  private lastRecordedAt: string | null = null;
  private failure: VerificationFailure | null = null;

  constructor(options: LogVerifierOptions) {
    this.circle = options.circle;
    this.ctx = { circle: options.circle, keys: options.keys ?? noKeys, instanceKid: options.instanceKid ?? '' };
    this.wantedRoots = new Set(options.rootsAt ?? []);
    if (this.wantedRoots.has(0)) this.roots.set(0, EMPTY_ROOT.slice());
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
    if (head.prev !== this.lastPrev) {
      return this.fail(seq, problem('BAD_PREV', `prev is ${head.prev}, not the leaf hash of entry ${seq - 1} (${this.lastPrev})`));
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
      if (this.members.has(inspected.kid)) {
        return this.fail(seq, problem('DUPLICATE_REGISTRATION', `key ${inspected.kid} is registered twice`));
      }
      const registration = inspected.registration;
      if (registration === undefined) return this.fail(seq, problem('NOT_REGISTRATION', 'entry registers no key'));
      this.members.set(inspected.kid, registration.key);
    }
    this.seenIds.add(replayKey);
    this.merkle.push(leaf);
    this.lastLeaf = leaf;
    this.lastPrev = prevOf(leaf);
    this.lastRecordedAt = head.recordedAt;
    if (this.wantedRoots.has(this.merkle.size)) this.roots.set(this.merkle.size, this.merkle.root());
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

  /** Registry only: member id → public key, for every registration accepted so far. */
  memberKeys(): Map<string, KeyObject> {
    return new Map(this.members);
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
export function registryKeys(lines: Iterable<string | Uint8Array>): Map<string, KeyObject> {
  const verifier = new LogVerifier({ circle: REGISTRY });
  for (const line of lines) verifier.push(line);
  verifier.finish();
  return verifier.memberKeys();
}

/** The lookup a circle log is verified with: registered members, and the instance under its kid. */
export function keyLookup(members: ReadonlyMap<string, KeyObject>, instance: Pick<InstanceIdentity, 'kid' | 'key'>): KeyLookup {
  return (kid) => (kid === instance.kid ? instance.key : members.get(kid));
}

// ---------------------------------------------------------------- checkpoints

/** `<instance name>/circles/<circle id>`, or `<instance name>/registry` (SPEC §3.6, §3.8). */
export function originOf(instanceName: string, circle: string): string {
  return circle === REGISTRY ? `${instanceName}/registry` : `${instanceName}/circles/${circle}`;
}

/**
 * The instance key from its signed-note verifier key `name+hex(keyid)+base64(0x01‖pub)`:
 * the key name is the instance name, and the kid of its system statements is
 * the RFC 7638 thumbprint of the same Ed25519 key as a JWK. Throws on a bad key.
 */
export function instanceFromNoteKey(noteKey: string): InstanceIdentity {
  const { name, publicKey } = parseVerifierKey(noteKey);
  const jwk: Ed25519PublicJwk = { kty: 'OKP', crv: 'Ed25519', x: base64url(publicKey) };
  return { noteKey, name, kid: memberIdOf(jwk), jwk, key: publicKeyFromJwk(jwk) };
}

/** Opens a signed checkpoint under `verifierKey` and checks its origin. Throws a CheckpointFailure. */
export function verifyCheckpoint(note: string, verifierKey: string, expectedOrigin: string): Checkpoint {
  const opened = openNote(note, verifierKey);
  if (!opened.ok) throw new CheckpointFailure('BAD_CHECKPOINT', `checkpoint: ${opened.reason}`);
  let checkpoint: Checkpoint;
  try {
    checkpoint = parseCheckpoint(opened.text);
  } catch (e) {
    throw new CheckpointFailure('BAD_CHECKPOINT', (e as Error).message);
  }
  if (checkpoint.origin !== expectedOrigin) {
    throw new CheckpointFailure('WRONG_ORIGIN', `checkpoint origin is ${JSON.stringify(checkpoint.origin)}, expected ${JSON.stringify(expectedOrigin)}`);
  }
  return checkpoint;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** The log's root at `size` (≤ its size): the final root, or one kept through `rootsAt`. */
export function rootAtSize(summary: LogSummary, size: number): Uint8Array {
  if (size === summary.size) return summary.root;
  if (size === 0) return EMPTY_ROOT.slice();
  const root = summary.roots.get(size);
  if (root === undefined) throw new Error(`the root at size ${size} was not kept: pass ${size} in rootsAt`);
  return root;
}

/**
 * The checkpoint signs a prefix of the verified log: its size is at most the
 * number of entries verified (a log fetched after its checkpoint may have
 * grown) and its root is the log's root at that size. Throws a CheckpointFailure.
 */
export function checkAgainstCheckpoint(summary: LogSummary, checkpoint: Checkpoint): void {
  if (checkpoint.size > summary.size) {
    throw new CheckpointFailure('CHECKPOINT_AHEAD', `checkpoint covers ${checkpoint.size} entries, the log has ${summary.size}`);
  }
  const root = rootAtSize(summary, checkpoint.size);
  if (!equalBytes(root, checkpoint.root)) {
    throw new CheckpointFailure(
      'ROOT_MISMATCH',
      `the log's root at size ${checkpoint.size} is ${b64(root)}, the checkpoint says ${b64(checkpoint.root)}`,
    );
  }
}

/**
 * An older checkpoint against the newer one, given the whole log: both roots
 * recomputed from the same entries prove that the older tree is a prefix of
 * the newer (what an RFC 6962 consistency proof would show). Throws a CheckpointFailure.
 */
export function checkOlderCheckpoint(older: Checkpoint, newer: Checkpoint, summary: LogSummary): void {
  if (older.origin !== newer.origin) {
    throw new CheckpointFailure('WRONG_ORIGIN', `the checkpoints are of ${older.origin} and ${newer.origin}`);
  }
  if (older.size > newer.size) {
    throw new CheckpointFailure('INCONSISTENT', `the older checkpoint covers ${older.size} entries, the newer only ${newer.size}: the log shrank`);
  }
  checkAgainstCheckpoint(summary, newer);
  if (older.size > summary.size) {
    throw new CheckpointFailure('INCONSISTENT', `the older checkpoint covers ${older.size} entries, the log has ${summary.size}`);
  }
  const root = rootAtSize(summary, older.size);
  if (!equalBytes(root, older.root)) {
    throw new CheckpointFailure(
      'INCONSISTENT',
      `the older checkpoint's root at size ${older.size} is ${b64(older.root)}, the log's is ${b64(root)}: it signed another history`,
    );
  }
}

/** Verifies an RFC 6962 consistency proof (base64url hashes, as served at §3.8) between two checkpoints. */
export function checkConsistencyProof(older: Checkpoint, newer: Checkpoint, path: readonly string[]): void {
  const hashes: Uint8Array[] = [];
  for (const h of path) {
    const bytes = typeof h === 'string' ? fromBase64url(h) : null;
    if (bytes === null) throw new CheckpointFailure('BAD_PROOF', 'consistency proof holds a value that is not base64url');
    hashes.push(bytes);
  }
  if (!verifyConsistency(older.size, newer.size, older.root, newer.root, hashes)) {
    throw new CheckpointFailure('BAD_PROOF', `consistency proof from ${older.size} to ${newer.size} does not verify`);
  }
}
