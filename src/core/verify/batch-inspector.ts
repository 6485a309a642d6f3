// The stateless half of verification in bulk, with a fast byte path for well-formed lines; every
// failure is left to the reference check (inspect-line.ts), so both reach the same verdict.
import { decodeBase64url, type PublicKeyHandle, sha256, verifyEd25519 } from '../crypto/crypto';
import { MAX_STATEMENT_LENGTH, MAX_SYSTEM_STATEMENT_LENGTH, parseStatementHeader, StatementHeader } from '../formats/statement';
import { isSignableBy, isStatementType, STATEMENT_TYP, SYSTEM_TYP, validatePayload } from '../formats/statement-types';
import { fromBase64url } from '../formats/canonical-json';
import { leafHash } from '../formats/merkle';
import { InspectedEntry, REGISTRY } from './verification';
import { InspectContext, inspectLine } from './inspect-line';

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

export const LEAF_BYTES = 32;
export const TIMESTAMP_CHARS = 24;
const ULID_CHARS = 26;
/** per clean line, in `meta`: its recordedAt, then its payload id */
export const META_BYTES = TIMESTAMP_CHARS + ULID_CHARS;
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

export function sameBytes(a: Uint8Array, at: number, b: Uint8Array): boolean {
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

/** The characters of bytes [start, end), one per byte (ISO 8859-1). */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  let out = '';
  for (let at = start; at < end; at += 8192) {
    out += String.fromCharCode.apply(null, bytes.subarray(at, Math.min(end, at + 8192)) as unknown as number[]);
  }
  return out;
}
