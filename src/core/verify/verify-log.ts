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
//
// For large logs the two halves also come in bulk: `BatchInspector` (worker
// side) takes a fast path on well-formed lines and hands every other line to
// `inspectLine`; `LogVerifier.acceptBatch` (ordered side) appends clean lines
// directly and hands anything that fails an ordered check to `accept`. Both
// shortcuts only ever confirm success; every failure is found and worded by
// the reference functions above (test/unit/verifier/fast-path.spec.ts).
import { decodeBase64url, equalBytes, type PublicKeyHandle, sha256, toBase64, verifyEd25519 } from '../crypto/crypto';
import { Ed25519PublicJwk, memberIdOf, publicKeyFromJwk } from '../formats/keys';
import {
  assertSignature,
  MAX_STATEMENT_LENGTH,
  MAX_SYSTEM_STATEMENT_LENGTH,
  parseCompact,
  ParsedStatement,
  parseStatementHeader,
  StatementError,
  StatementErrorCode,
  StatementHeader,
} from '../formats/statement';
import { isSignableBy, isStatementType, STATEMENT_TYP, SYSTEM_TYP, validatePayload } from '../formats/statement-types';
import { derivedId } from '../formats/ids';
import { base64url, fromBase64url } from '../formats/canonical-json';
import { decodeEntryBytes, decodeEntryLine, DecodeEntryResult, LogEntry, prevOf, REGISTRY_LOG } from '../formats/entry';
import { EMPTY_ROOT, leafHash, StreamingMerkle, verifyConsistency } from '../formats/merkle';
import { Checkpoint, openNote, parseCheckpoint, parseVerifierKey } from '../formats/signed-note';

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

function checkRegistration(parsed: ParsedStatement, result: InspectedEntry): PublicKeyHandle {
  if (parsed.payload.type !== 'member.register' || parsed.header.typ !== STATEMENT_TYP || parsed.header.jwk === undefined) {
    throw new WrongPlace(problem('NOT_REGISTRATION', `the registry holds only member.register, not ${parsed.payload.type}`));
  }
  // parseCompact has checked that kid is the thumbprint of this jwk.
  const key = publicKeyFromJwk(parsed.header.jwk);
  result.registration = { jwk: parsed.header.jwk, key };
  return key;
}

function checkCircleStatement(parsed: ParsedStatement, entry: LogEntry, ctx: InspectContext): PublicKeyHandle | undefined {
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

// ---------------------------------------------------------------- the stateless half, in bulk

/*
 * `BatchInspector` runs the stateless half on a batch of lines, as a worker
 * thread does, with a fast path for the common case: an entry in the exact
 * byte form the instance writes, whose statement passes every check. The
 * fast path never decides a failure. Whenever it is not certain that
 * `inspectLine` would find no problem, it hands the line to `inspectLine`,
 * whose result is then the answer. So for every line, either the fast path
 * has established what `inspectLine` would return (head, leaf, kid, id, no
 * problem) or `inspectLine` itself has run.
 *
 * What the fast path saves: the entry line is matched byte by byte against
 * the one canonical layout of the six members instead of being decoded,
 * parsed, re-serialized and compared; the JWS segments are checked once for
 * strict base64url while scanning; a protected header is parsed once per
 * distinct header (one per signer); the payload's canonical form is checked
 * by a scanner on its bytes instead of a re-serialization; the timestamp by
 * its calendar instead of a format round trip; the signing input is a view of
 * the line's bytes; the leaf hash is one SHA-256 call. The payload schema
 * (`validatePayload`) and the signature run as in the reference path.
 */

const LEAF_BYTES = 32;
const TIMESTAMP_CHARS = 24;
const ULID_CHARS = 26;
/** per clean line, in `meta`: its recordedAt, then its payload id */
const META_BYTES = TIMESTAMP_CHARS + ULID_CHARS;
const HEADER_CACHE_SIZE = 4096;

/**
 * The stateless half of a batch of lines, packed for a cheap transfer between
 * threads. Line i is either clean (`info[2i+1]` ≥ 0: the index of its kid in
 * the inspector's key list; `info[2i]` its seq; its decoded prev at
 * `prevs[32i…]`; its recordedAt and payload id in `meta[50i…]`) or inspected
 * by `inspectLine` (`info[2i+1]` = -1, its result in `others`, leaf left null).
 * `leaves[32i…]` is the leaf hash of every line that is an entry at all.
 */
export interface InspectedBatch {
  circle: string;
  n: number;
  leaves: Uint8Array;
  prevs: Uint8Array;
  info: Float64Array;
  meta: Uint8Array;
  others: [number, InspectedEntry][];
}

const CHAR = {
  quote: 0x22,
  comma: 0x2c,
  minus: 0x2d,
  dot: 0x2e,
  zero: 0x30,
  nine: 0x39,
  colon: 0x3a,
  bracketOpen: 0x5b,
  backslash: 0x5c,
  bracketClose: 0x5d,
  braceOpen: 0x7b,
  braceClose: 0x7d,
  newline: 0x0a,
} as const;

/** base64url alphabet value of each byte, -1 outside it */
const B64 = new Int8Array(256).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('').forEach((c, v) => (B64[c.charCodeAt(0)] = v));

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const ENTRY_OPEN = ascii('{"circle":"');
const AFTER_CIRCLE = ascii('","jws":"');
const AFTER_JWS = ascii('","prev":"');
const AFTER_PREV = ascii('","recordedAt":"');
const AFTER_RECORDED_AT = ascii('","seq":');
const ENTRY_CLOSE = ascii(',"v":1}');
const TRUE = ascii('true');
const FALSE = ascii('false');
const NULL = ascii('null');

function matchAt(b: Uint8Array, at: number, expected: Uint8Array, end = b.length): boolean {
  if (at + expected.length > end) return false;
  for (let k = 0; k < expected.length; k++) if (b[at + k] !== expected[k]) return false;
  return true;
}

function sameBytes(a: Uint8Array, at: number, b: Uint8Array): boolean {
  for (let k = 0; k < b.length; k++) if (a[at + k] !== b[k]) return false;
  return true;
}

/**
 * Whether b[from, to) is strict base64url as `fromBase64url` accepts it
 * (alphabet only, no padding, a possible length, unused trailing bits zero),
 * given that every byte in it is already known to be in the alphabet.
 */
export function isCanonicalBase64urlSpan(b: Uint8Array, from: number, to: number): boolean {
  const len = to - from;
  const last = len > 0 ? B64[b[to - 1]] : 0;
  switch (len % 4) {
    case 0:
      return true;
    case 2:
      return (last & 0x0f) === 0;
    case 3:
      return (last & 0x03) === 0;
    default:
      return false;
  }
}

function twoDigits(b: Uint8Array, at: number): number {
  const hi = b[at] - CHAR.zero;
  const lo = b[at + 1] - CHAR.zero;
  return hi >= 0 && hi <= 9 && lo >= 0 && lo <= 9 ? hi * 10 + lo : -1;
}

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Whether the 24 bytes at `at` are a `YYYY-MM-DDTHH:MM:SS.sssZ` timestamp of a
 * real instant (years 0000–9999, proleptic Gregorian): what `parseTimestamp`
 * accepts, checked on the calendar instead of by a format round trip.
 */
export function isTimestampAt(b: Uint8Array, at: number): boolean {
  if (at + TIMESTAMP_CHARS > b.length) return false;
  if (b[at + 4] !== 0x2d || b[at + 7] !== 0x2d || b[at + 10] !== 0x54 || b[at + 13] !== 0x3a) return false;
  if (b[at + 16] !== 0x3a || b[at + 19] !== 0x2e || b[at + 23] !== 0x5a) return false;
  const c = twoDigits(b, at);
  const y = twoDigits(b, at + 2);
  const month = twoDigits(b, at + 5);
  const day = twoDigits(b, at + 8);
  const hour = twoDigits(b, at + 11);
  const minute = twoDigits(b, at + 14);
  const second = twoDigits(b, at + 17);
  const msHi = twoDigits(b, at + 20);
  const msLo = b[at + 22] - CHAR.zero;
  if (c < 0 || y < 0 || msHi < 0 || msLo < 0 || msLo > 9) return false;
  if (month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  const year = c * 100 + y;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month]);
}

const MAX_JSON_DEPTH = 32;
const MAX_INTEGER_DIGITS = 15; // below 2^53, and printed as written by RFC 8785

// Index just after a JSON string at b[i] (a quote) of printable ASCII without
// escapes, -1 if it is not one.
function scanString(b: Uint8Array, i: number, end: number): number {
  for (let j = i + 1; j < end; j++) {
    const c = b[j];
    if (c === CHAR.quote) return j + 1;
    if (c < 0x20 || c > 0x7e || c === CHAR.backslash) return -1;
  }
  return -1;
}

// Whether key b[a, aEnd) sorts strictly after key b[p, pEnd) (bytes = UTF-16 units for ASCII).
function keyAfter(b: Uint8Array, p: number, pEnd: number, a: number, aEnd: number): boolean {
  for (; p < pEnd && a < aEnd; p++, a++) if (b[p] !== b[a]) return b[a] > b[p];
  return aEnd - a > 0 && p === pEnd;
}

// Index just after the canonical JSON value at b[i], -1 if it is not one of the forms below.
function scanValue(b: Uint8Array, i: number, end: number, depth: number): number {
  if (i >= end) return -1;
  const c = b[i];
  if (c === CHAR.quote) return scanString(b, i, end);
  if (c === CHAR.braceOpen) {
    if (depth >= MAX_JSON_DEPTH) return -1;
    i++;
    if (b[i] === CHAR.braceClose) return i + 1;
    let prevKey = -1;
    let prevKeyEnd = -1;
    for (;;) {
      if (b[i] !== CHAR.quote) return -1;
      const keyEnd = scanString(b, i, end);
      if (keyEnd < 0) return -1;
      if (prevKey >= 0 && !keyAfter(b, prevKey, prevKeyEnd, i + 1, keyEnd - 1)) return -1;
      prevKey = i + 1;
      prevKeyEnd = keyEnd - 1;
      if (b[keyEnd] !== CHAR.colon) return -1;
      i = scanValue(b, keyEnd + 1, end, depth + 1);
      if (i < 0) return -1;
      if (b[i] === CHAR.comma) i++;
      else if (b[i] === CHAR.braceClose) return i + 1;
      else return -1;
    }
  }
  if (c === CHAR.bracketOpen) {
    if (depth >= MAX_JSON_DEPTH) return -1;
    i++;
    if (b[i] === CHAR.bracketClose) return i + 1;
    for (;;) {
      i = scanValue(b, i, end, depth + 1);
      if (i < 0) return -1;
      if (b[i] === CHAR.comma) i++;
      else if (b[i] === CHAR.bracketClose) return i + 1;
      else return -1;
    }
  }
  if (c === 0x74) return matchAt(b, i, TRUE, end) ? i + 4 : -1;
  if (c === 0x66) return matchAt(b, i, FALSE, end) ? i + 5 : -1;
  if (c === 0x6e) return matchAt(b, i, NULL, end) ? i + 4 : -1;
  // A number: the JSON grammar, then RFC 8785's rule (ECMAScript Number::toString) as a round trip.
  let j = c === CHAR.minus ? i + 1 : i;
  const first = b[j];
  if (first === CHAR.zero) j++;
  else if (first > CHAR.zero && first <= CHAR.nine) j = digitsFrom(b, j, end);
  else return -1;
  const integerEnd = j;
  if (b[j] === CHAR.dot) {
    j = digitsFrom(b, j + 1, end);
    if (j === integerEnd + 1) return -1;
  }
  if (b[j] === 0x65 || b[j] === 0x45) {
    let k = j + 1;
    if (b[k] === 0x2b || b[k] === CHAR.minus) k++;
    j = digitsFrom(b, k, end);
    if (j === k) return -1;
  }
  if (j === integerEnd && j - i <= MAX_INTEGER_DIGITS && !(first === CHAR.zero && j > i + 1)) return j; // a plain integer: canonical as written
  let token = '';
  for (let k = i; k < j; k++) token += String.fromCharCode(b[k]);
  return String(Number(token)) === token ? j : -1;
}

function digitsFrom(b: Uint8Array, j: number, end: number): number {
  while (j < end && b[j] >= CHAR.zero && b[j] <= CHAR.nine) j++;
  return j;
}

/**
 * True only if b[from, to) is exactly the RFC 8785 form of the JSON value it
 * denotes, for the JSON statement payloads use: printable ASCII strings
 * without escapes, numbers, true, false, null, arrays and objects with
 * members in canonical order. False does not mean "not
 * canonical", only "not this simple": the caller then runs `parseCanonicalJson`.
 */
export function isSimpleCanonicalJson(b: Uint8Array, from = 0, to = b.length): boolean {
  return scanValue(b, from, to, 0) === to;
}

interface CachedHeader {
  header: StatementHeader | null;
}

/** The stateless half of many lines: a fast path for well-formed lines, `inspectLine` for the rest. */
export class BatchInspector {
  private readonly ctx: InspectContext;
  private readonly kidIndex = new Map<string, number>();
  private readonly keys: (PublicKeyHandle | undefined)[] = [];
  private readonly circleBytes: Uint8Array | null;
  private readonly headers = new Map<string, CachedHeader>();

  /**
   * `kids` lists every key the log may use, in the order the ordered half
   * will name them (`LogVerifier.acceptBatch`): clean lines carry the index
   * of their kid in this list. `ctx.keys` must know exactly these.
   */
  constructor(ctx: InspectContext, kids: readonly string[]) {
    this.ctx = ctx;
    kids.forEach((kid, i) => {
      if (!this.kidIndex.has(kid)) this.kidIndex.set(kid, i);
    });
    for (const kid of kids) {
      const key = ctx.keys(kid);
      this.keys.push(key);
    }
    // The fast path covers circle logs whose id is well formed; anything else goes to inspectLine.
    const id = fromBase64url(ctx.circle);
    this.circleBytes = ctx.circle !== REGISTRY && id !== null && id.length === 16 ? ascii(ctx.circle) : null;
  }

  /** Inspects every line of `bytes` (lines end with \n; nothing after a final newline). May overwrite `bytes`. */
  inspect(bytes: Uint8Array): InspectedBatch {
    const buf = bytes;
    let n = 0;
    for (let at = 0; at < buf.length; n++) {
      const nl = buf.indexOf(CHAR.newline, at);
      at = nl < 0 ? buf.length : nl + 1;
    }
    const batch: InspectedBatch = {
      circle: this.ctx.circle,
      n,
      leaves: new Uint8Array(LEAF_BYTES * n),
      prevs: new Uint8Array(LEAF_BYTES * n),
      info: new Float64Array(2 * n),
      meta: new Uint8Array(META_BYTES * n),
      others: [],
    };
    const prevs = batch.prevs;
    const meta = batch.meta;
    let start = 0;
    for (let i = 0; i < n; i++) {
      let end = buf.indexOf(CHAR.newline, start);
      if (end < 0) end = buf.length;
      const line = buf.subarray(start, end);
      if (!this.fast(buf, start, end, i, batch, prevs, meta)) {
        const r = inspectLine(line, this.ctx);
        if (r.leaf !== null) batch.leaves.set(r.leaf, LEAF_BYTES * i);
        r.leaf = null;
        batch.info[2 * i + 1] = -1;
        batch.others.push([i, r]);
      }
      start = end + 1;
    }
    return batch;
  }

  // The fast path for line buf[start, end): true when it has filled in line i as a clean line.
  private fast(buf: Uint8Array, start: number, end: number, i: number, batch: InspectedBatch, prevs: Uint8Array, meta: Uint8Array): boolean {
    const circle = this.circleBytes;
    if (circle === null) return false;
    // {"circle":"<this circle>","jws":"<h>.<p>.<s>","prev":"<43>","recordedAt":"<24>","seq":<n>,"v":1}
    let at = start;
    if (!matchAt(buf, at, ENTRY_OPEN, end)) return false;
    at += ENTRY_OPEN.length;
    if (!matchAt(buf, at, circle, end)) return false;
    at += circle.length;
    if (!matchAt(buf, at, AFTER_CIRCLE, end)) return false;
    at += AFTER_CIRCLE.length;
    const jwsStart = at;
    let dot1 = -1;
    let dot2 = -1;
    for (; at < end; at++) {
      const c = buf[at];
      if (c === CHAR.quote) break;
      if (c === CHAR.dot) {
        if (dot1 < 0) dot1 = at;
        else if (dot2 < 0) dot2 = at;
        else return false;
      } else if (B64[c] < 0) return false;
    }
    const jwsEnd = at;
    if (dot2 < 0 || dot1 === jwsStart || dot2 === dot1 + 1 || jwsEnd === dot2 + 1) return false;
    if (
      !isCanonicalBase64urlSpan(buf, jwsStart, dot1) ||
      !isCanonicalBase64urlSpan(buf, dot1 + 1, dot2) ||
      !isCanonicalBase64urlSpan(buf, dot2 + 1, jwsEnd)
    ) {
      return false;
    }
    if (!matchAt(buf, at, AFTER_JWS, end)) return false;
    at += AFTER_JWS.length;
    const prevStart = at;
    if (at + 43 > end) return false;
    for (let k = 0; k < 43; k++) if (B64[buf[at + k]] < 0) return false;
    at += 43;
    if (!isCanonicalBase64urlSpan(buf, prevStart, at)) return false;
    if (!matchAt(buf, at, AFTER_PREV, end)) return false;
    at += AFTER_PREV.length;
    const recordedAtStart = at;
    if (at + TIMESTAMP_CHARS > end || !isTimestampAt(buf, at)) return false;
    at += TIMESTAMP_CHARS;
    if (!matchAt(buf, at, AFTER_RECORDED_AT, end)) return false;
    at += AFTER_RECORDED_AT.length;
    // seq ≥ 1 (entry 0 is a genesis, and has prev null: both left to inspectLine), no leading zero
    if (buf[at] <= CHAR.zero || buf[at] > CHAR.nine) return false;
    let seq = 0;
    const seqStart = at;
    while (at < end && buf[at] >= CHAR.zero && buf[at] <= CHAR.nine) seq = seq * 10 + (buf[at++] - CHAR.zero);
    if (at - seqStart > MAX_INTEGER_DIGITS) return false;
    if (at + ENTRY_CLOSE.length !== end || !matchAt(buf, at, ENTRY_CLOSE, end)) return false;
    // The line is canonical JSON and a well-formed entry of this circle: decodeEntryBytes would accept it.

    // The statement: what parseCompact checks, then checkCircleStatement, then the signature.
    const jwsLength = jwsEnd - jwsStart;
    if (jwsLength > MAX_SYSTEM_STATEMENT_LENGTH) return false;
    const headerB64 = latin1(buf, jwsStart, dot1);
    let cached = this.headers.get(headerB64);
    if (cached === undefined) {
      let header: StatementHeader | null = null;
      try {
        header = parseStatementHeader(headerB64);
      } catch {
        header = null;
      }
      cached = { header };
      if (this.headers.size >= HEADER_CACHE_SIZE) this.headers.clear();
      this.headers.set(headerB64, cached);
    }
    const header = cached.header;
    if (header === null) return false;
    if (header.typ === STATEMENT_TYP && jwsLength > MAX_STATEMENT_LENGTH) return false;
    if (jwsEnd - (dot2 + 1) !== 86) return false; // 64 bytes
    const payload = decodeBase64url(latin1(buf, dot1 + 1, dot2));
    if (payload === null || !isSimpleCanonicalJson(payload)) return false;
    const value: unknown = JSON.parse(latin1(payload, 0, payload.length));
    const type = (value as { type?: unknown } | null)?.type;
    const signer = header.typ === SYSTEM_TYP ? 'system' : 'member';
    if (!isStatementType(type) || !isSignableBy(type, signer) || type === 'member.register' || header.jwk !== undefined) return false;
    const validation = validatePayload(value, signer);
    if (!validation.ok) return false;
    const statement = validation.payload;
    // checkCircleStatement, for an entry other than 0
    if (statement.circle !== this.ctx.circle) return false;
    if (header.typ === SYSTEM_TYP ? header.kid !== this.ctx.instanceKid : header.kid === this.ctx.instanceKid) return false;
    const kidIndex = this.kidIndex.get(header.kid);
    if (kidIndex === undefined) return false;
    const key = this.keys[kidIndex];
    if (key === undefined || statement.id.length !== ULID_CHARS) return false;
    const signature = decodeBase64url(latin1(buf, dot2 + 1, jwsEnd));
    if (signature === null || !verifyEd25519(key, buf.subarray(jwsStart, dot2), signature)) return false;

    // Clean: inspectLine would return this head, leaf, kid and id, and no problem.
    batch.leaves.set(this.leafOf(buf, start, end), LEAF_BYTES * i);
    const prev = decodeBase64url(latin1(buf, prevStart, prevStart + 43));
    if (prev === null) return false;
    prevs.set(prev, LEAF_BYTES * i);
    batch.info[2 * i] = seq;
    batch.info[2 * i + 1] = kidIndex;
    meta.set(buf.subarray(recordedAtStart, recordedAtStart + TIMESTAMP_CHARS), META_BYTES * i);
    for (let k = 0; k < ULID_CHARS; k++) meta[META_BYTES * i + TIMESTAMP_CHARS + k] = statement.id.charCodeAt(k);
    return true;
  }

  // leafHash of buf[start, end), hashing 0x00 ‖ line in one call: the byte before
  // the line is the previous line's newline, which no line includes.
  private leafOf(buf: Uint8Array, start: number, end: number): Uint8Array {
    if (start === 0) return leafHash(buf.subarray(start, end));
    buf[start - 1] = 0x00;
    return sha256(buf.subarray(start - 1, end));
  }
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
  private readonly members = new Map<string, PublicKeyHandle>();
  private lastLeaf: Uint8Array | null = null;
  /** prevOf(lastLeaf), computed when first needed (the batch path compares bytes instead) */
  private lastPrevCache: string | null = null;
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
      if (this.members.has(inspected.kid)) {
        return this.fail(seq, problem('DUPLICATE_REGISTRATION', `key ${inspected.kid} is registered twice`));
      }
      const registration = inspected.registration;
      if (registration === undefined) return this.fail(seq, problem('NOT_REGISTRATION', 'entry registers no key'));
      this.members.set(inspected.kid, registration.key);
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
        this.seenIds.has(replayKey)
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

  /** Registry only: member id → public key, for every registration accepted so far. */
  memberKeys(): Map<string, PublicKeyHandle> {
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

const b64 = toBase64;

/** The characters of bytes [start, end), one per byte (ISO 8859-1). */
function latin1(bytes: Uint8Array, start: number, end: number): string {
  let out = '';
  for (let at = start; at < end; at += 8192) {
    out += String.fromCharCode.apply(null, bytes.subarray(at, Math.min(end, at + 8192)) as unknown as number[]);
  }
  return out;
}

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
