// SPEC §3.5 — log entries: their canonical line and leaf hash.
import { base64url, canonicalJson, fromBase64url, isWellFormedString, parseCanonicalJson, parseTimestamp } from './canonical-json';
import { isCanonicalBase64url } from '../crypto/crypto';
import { leafHash } from './merkle';

export type LogEntry = {
  v: 1;
  circle: string;
  seq: number;
  prev: string | null;
  recordedAt: string;
  jws: string;
};

/**
 * `reason` is NOT_UTF8, NOT_JSON or NOT_CANONICAL when the line is not canonical
 * JSON (as parseCanonicalJson says), otherwise a sentence naming the faulty member.
 */
export type DecodeEntryResult = { ok: true; entry: LogEntry; leaf: Uint8Array } | { ok: false; reason: string };

/** The one log that is not a circle's: the instance registry (SPEC §3.8). */
export const REGISTRY_LOG = 'registry';

const ENTRY_MEMBERS = ['circle', 'jws', 'prev', 'recordedAt', 'seq', 'v'] as const; // sorted, as JCS orders them
const CIRCLE_ID_BYTES = 16; // §3.4: first 16 bytes of a SHA-256
const LEAF_HASH_BYTES = 32;

function isBase64urlOf(s: string, bytes: number): boolean {
  const decoded = fromBase64url(s);
  return decoded !== null && decoded.length === bytes;
}

function isCompactJws(s: string): boolean {
  const segments = s.split('.');
  // Header, payload and signature; our statements never have an empty segment.
  return segments.length === 3 && segments.every((seg) => seg.length > 0 && isCanonicalBase64url(seg));
}

// Returns why `value` is not a well-formed entry, or null if it is.
function entryProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'entry is not a JSON object';
  }
  const keys = Object.keys(value).sort();
  if (keys.length !== ENTRY_MEMBERS.length || keys.some((k, i) => k !== ENTRY_MEMBERS[i])) {
    return `entry must have exactly the members ${ENTRY_MEMBERS.join(', ')}`;
  }
  const e = value as Record<string, unknown>;
  if (e.v !== 1) return 'v must be 1';
  // SPEC §3.8: the instance registry is an ordinary log whose entries say "circle":"registry".
  if (typeof e.circle !== 'string' || (e.circle !== REGISTRY_LOG && !isBase64urlOf(e.circle, CIRCLE_ID_BYTES))) {
    return `circle must be a circle id (base64url of 16 bytes) or "${REGISTRY_LOG}"`;
  }
  if (typeof e.seq !== 'number' || !Number.isSafeInteger(e.seq) || e.seq < 0) {
    return 'seq must be a non-negative integer';
  }
  if (e.seq === 0) {
    if (e.prev !== null) return 'prev must be null at seq 0';
  } else if (typeof e.prev !== 'string' || !isBase64urlOf(e.prev, LEAF_HASH_BYTES)) {
    return 'prev must be the base64url leaf hash of the previous entry';
  }
  if (typeof e.recordedAt !== 'string' || parseTimestamp(e.recordedAt) === null) {
    return 'recordedAt must be a YYYY-MM-DDTHH:MM:SS.sssZ timestamp';
  }
  if (typeof e.jws !== 'string' || !isCompactJws(e.jws)) {
    return 'jws must be a compact JWS of three non-empty base64url segments';
  }
  return null;
}

/**
 * The canonical line of an entry and its leaf hash. Throws on an invalid entry;
 * only the six members are serialized, whatever else the object carries at run time.
 */
export function encodeEntry(entry: LogEntry): { line: string; leaf: Uint8Array } {
  const { v, circle, seq, prev, recordedAt, jws } = entry;
  const picked = { v, circle, seq, prev, recordedAt, jws };
  const problem = entryProblem(picked);
  if (problem !== null) throw new Error(`invalid log entry: ${problem}`);
  const line = canonicalJson(picked);
  return { line, leaf: leafHash(new TextEncoder().encode(line)) };
}

/**
 * Decodes one exported line (without its newline). The leaf hash is computed
 * over the bytes as given, never over a re-serialization (SPEC §3.5).
 */
export function decodeEntryLine(line: string): DecodeEntryResult {
  // A lone surrogate has no exact UTF-8 form: the line cannot be the stored bytes.
  if (!isWellFormedString(line)) return { ok: false, reason: 'NOT_UTF8' };
  return decodeEntryBytes(new TextEncoder().encode(line));
}

/** As decodeEntryLine, on the raw bytes of a line, as read from an export or the database. */
export function decodeEntryBytes(bytes: Uint8Array): DecodeEntryResult {
  const parsed = parseCanonicalJson(bytes);
  if (!parsed.ok) return { ok: false, reason: parsed.reason };
  const problem = entryProblem(parsed.value);
  if (problem !== null) return { ok: false, reason: problem };
  return { ok: true, entry: parsed.value as LogEntry, leaf: leafHash(bytes) };
}

/** The `prev` value of the entry that follows an entry with this leaf hash. */
export function prevOf(leaf: Uint8Array): string {
  return base64url(leaf);
}
