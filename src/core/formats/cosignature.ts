// SPEC §12.1 — C2SP tlog-cosignature (cosignature/v1, Ed25519, key type 0x04): a witness's
// timestamped signature over a checkpoint's note text, carried as one more signed-note line.
import { equalBytes, importPublicKey, sha256, toBase64, verifyEd25519 } from '../crypto/crypto';
import { isWellFormedString } from './canonical-json';
import { formatVkey, parseVkey, strictBase64, type VkeyKind } from './signed-note';

export const COSIGNATURE_V1_TYPE = 0x04;
const PUBLIC_KEY_SIZE = 32;
const SIGNATURE_SIZE = 64;
const KEY_ID_SIZE = 4;
const TIMESTAMP_SIZE = 8;
const SIGNATURE_PREFIX = '\u2014 ';
// C2SP: the timestamp MUST NOT exceed 2^63 − 1; here it must also be exact in a JS number.
const MAX_TIMESTAMP = Number.MAX_SAFE_INTEGER;
const MAX_SIGNATURE_LINES = 100;

export type WitnessKey = { name: string; keyId: Uint8Array; publicKey: Uint8Array };
export type Cosignature = { name: string; keyId: Uint8Array; timestamp: number; signature: Uint8Array };
export type SignatureLine = { name: string; blob: Uint8Array; line: string };
export type SplitNote = { text: string; lines: SignatureLine[] };

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

function isKeyName(name: string): boolean {
  return name.length > 0 && isWellFormedString(name) && !/[\p{White_Space}+\p{Cc}]/u.test(name);
}

/** SHA-256(name ‖ 0x0A ‖ 0x04 ‖ public key)[:4]. */
export function cosignatureKeyId(name: string, publicKey: Uint8Array): Uint8Array {
  if (!isKeyName(name)) throw new Error(`invalid witness key name ${JSON.stringify(name)}`);
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_SIZE) throw new Error('an Ed25519 public key is 32 bytes');
  return sha256(utf8(name), new Uint8Array([0x0a, COSIGNATURE_V1_TYPE]), publicKey).slice(0, KEY_ID_SIZE);
}

const WITNESS_KEY: VkeyKind = { what: 'witness key', type: COSIGNATURE_V1_TYPE, typeName: 'a cosignature/v1 (0x04)', isName: isKeyName, keyId: cosignatureKeyId };

/** `name+hex(keyid)+base64(0x04 ‖ public key)`: a witness's vkey. */
export function formatWitnessKey(name: string, publicKey: Uint8Array): string {
  return formatVkey(WITNESS_KEY, name, publicKey);
}

/** Parses a cosignature/v1 vkey; throws an Error saying what is wrong. */
export function parseWitnessKey(vkey: string): WitnessKey {
  return parseVkey(WITNESS_KEY, vkey);
}

/** The signed message: `cosignature/v1\ntime <t>\n` followed by the whole note text. */
export function cosignedMessage(noteText: string, timestamp: number): Uint8Array {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0 || timestamp > MAX_TIMESTAMP) throw new RangeError('cosignature timestamp out of range');
  if (noteText.length === 0 || !noteText.endsWith('\n')) throw new Error('note text must end with a newline');
  return utf8(`cosignature/v1\ntime ${timestamp}\n${noteText}`);
}

function timestampBytes(timestamp: number): Uint8Array {
  const out = new Uint8Array(TIMESTAMP_SIZE);
  let t = timestamp;
  for (let i = TIMESTAMP_SIZE - 1; i >= 0; i--) {
    out[i] = t % 256;
    t = Math.floor(t / 256);
  }
  return out;
}

function readTimestamp(bytes: Uint8Array): number | null {
  if (bytes[0] & 0x80) return null; // over 2^63 − 1
  let t = 0;
  for (const b of bytes) t = t * 256 + b;
  return Number.isSafeInteger(t) ? t : null;
}

/** One cosignature line (`— name base64(keyid ‖ timestamp ‖ signature)`), newline included. */
export function cosign(
  noteText: string,
  name: string,
  publicKey: Uint8Array,
  timestamp: number,
  sign: (message: Uint8Array) => Uint8Array,
): string {
  const keyId = cosignatureKeyId(name, publicKey);
  const signature = sign(cosignedMessage(noteText, timestamp));
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_SIZE) throw new Error('signer must return a 64-byte Ed25519 signature');
  const blob = new Uint8Array(KEY_ID_SIZE + TIMESTAMP_SIZE + SIGNATURE_SIZE);
  blob.set(keyId, 0);
  blob.set(timestampBytes(timestamp), KEY_ID_SIZE);
  blob.set(signature, KEY_ID_SIZE + TIMESTAMP_SIZE);
  return `${SIGNATURE_PREFIX}${name} ${toBase64(blob)}\n`;
}

/** Parses one signature line (without its newline); null when malformed. */
export function parseSignatureLine(line: string): SignatureLine | null {
  if (!line.startsWith(SIGNATURE_PREFIX)) return null;
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space < 0) return null;
  const name = rest.slice(0, space);
  const blob = strictBase64(rest.slice(space + 1));
  if (!isKeyName(name) || blob === null || blob.length <= KEY_ID_SIZE) return null;
  return { name, blob, line: `${line}\n` };
}

/** The cosignature fields of a line's blob; null when it is not a cosignature/v1 blob. */
export function readCosignature(sig: SignatureLine): Cosignature | null {
  if (sig.blob.length !== KEY_ID_SIZE + TIMESTAMP_SIZE + SIGNATURE_SIZE) return null;
  const timestamp = readTimestamp(sig.blob.subarray(KEY_ID_SIZE, KEY_ID_SIZE + TIMESTAMP_SIZE));
  if (timestamp === null) return null;
  return {
    name: sig.name,
    keyId: sig.blob.slice(0, KEY_ID_SIZE),
    timestamp,
    signature: sig.blob.slice(KEY_ID_SIZE + TIMESTAMP_SIZE),
  };
}

/** Splits a signed note into its text and its well-formed signature lines; throws when malformed. */
export function splitNote(note: string): SplitNote {
  if (!isWellFormedString(note)) throw new Error('note is not valid UTF-8');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new Error('note has no blank line before its signatures');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) throw new Error('note has no signature lines');
  const raw = block.slice(0, -1).split('\n');
  if (raw.length > MAX_SIGNATURE_LINES) throw new Error('too many signature lines');
  const lines: SignatureLine[] = [];
  for (const line of raw) {
    const parsed = parseSignatureLine(line);
    if (!parsed) throw new Error('malformed signature line');
    lines.push(parsed);
  }
  return { text, lines };
}

/** Parses the body of a 200 answer to add-checkpoint: one or more signature lines. */
export function parseSignatureLines(body: string): SignatureLine[] {
  if (body.length === 0 || !body.endsWith('\n')) throw new Error('expected newline-terminated signature lines');
  const raw = body.slice(0, -1).split('\n');
  if (raw.length > MAX_SIGNATURE_LINES) throw new Error('too many signature lines');
  return raw.map((line) => {
    const parsed = parseSignatureLine(line);
    if (!parsed) throw new Error('malformed signature line');
    return parsed;
  });
}

/**
 * Verifies `line` as a cosignature/v1 from `key` over `noteText`: false for another key's line,
 * a malformed blob or a bad signature. `notAfter` (POSIX seconds), when given, refuses
 * cosignatures from the future.
 */
export function verifyCosignature(noteText: string, sig: SignatureLine, key: WitnessKey, notAfter?: number): boolean {
  if (sig.name !== key.name) return false;
  const cosig = readCosignature(sig);
  if (!cosig || !equalBytes(cosig.keyId, key.keyId)) return false;
  if (notAfter !== undefined && cosig.timestamp > notAfter) return false;
  try {
    return verifyEd25519(importPublicKey(key.publicKey), cosignedMessage(noteText, cosig.timestamp), cosig.signature);
  } catch {
    return false;
  }
}

/** The names of the witnesses among `keys` that validly cosigned `note` (each counted once). */
export function cosigners(note: string, keys: readonly WitnessKey[], notAfter?: number): string[] {
  const { text, lines } = splitNote(note);
  const found = new Set<string>();
  for (const key of keys) {
    if (lines.some((l) => verifyCosignature(text, l, key, notAfter))) found.add(formatWitnessKey(key.name, key.publicKey));
  }
  return keys.filter((k) => found.has(formatWitnessKey(k.name, k.publicKey))).map((k) => k.name);
}

/** The note with `extra` signature lines added after its own, without duplicates. */
export function mergeSignatures(note: string, extra: readonly string[]): string {
  const { text, lines } = splitNote(note);
  const seen = new Set(lines.map((l) => l.line));
  const out = lines.map((l) => l.line);
  for (const line of extra) {
    const withNewline = line.endsWith('\n') ? line : `${line}\n`;
    if (!parseSignatureLine(withNewline.slice(0, -1))) throw new Error('malformed signature line');
    if (!seen.has(withNewline)) {
      seen.add(withNewline);
      out.push(withNewline);
    }
  }
  return `${text}\n${out.join('')}`;
}
