// SPEC §3.6 — checkpoints: C2SP tlog-checkpoint text inside a C2SP signed-note, Ed25519 only.
import { decodeBase64, equalBytes, fromHex, sha256, toBase64, toHex, verifyEd25519 } from '../crypto/crypto';
import { importRawPublicKey } from './keys';
import { isWellFormedString } from './canonical-json';

const ED25519_TYPE = 0x01;
const ED25519_PUBLIC_KEY_SIZE = 32;
const ED25519_SIGNATURE_SIZE = 64;
const KEY_ID_SIZE = 4;
const ROOT_SIZE = 32;
const SIGNATURE_PREFIX = '\u2014 '; // EM DASH, space
// C2SP: verifiers SHOULD bound the number of signatures and MUST accept at least 16.
const MAX_SIGNATURE_LINES = 100;

export type VerifierKey = { name: string; keyId: Uint8Array; publicKey: Uint8Array };
export type OpenNoteResult = { ok: true; text: string } | { ok: false; reason: string };
export type Checkpoint = { origin: string; size: number; root: Uint8Array };

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** C2SP key names: non-empty, no Unicode spaces, no '+'. */
function isValidKeyName(name: string): boolean {
  return name.length > 0 && isWellFormedString(name) && !/[\p{White_Space}+]/u.test(name) && !hasControlChars(name);
}

// C2SP: notes MUST NOT contain ASCII control characters other than newline.
function hasControlChars(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) return true;
  }
  return false;
}

function assertKeyName(name: string): void {
  if (!isValidKeyName(name)) throw new Error(`invalid note key name ${JSON.stringify(name)}`);
}

function assertEd25519PublicKey(publicKey: Uint8Array): void {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== ED25519_PUBLIC_KEY_SIZE) {
    throw new Error(`an Ed25519 public key is ${ED25519_PUBLIC_KEY_SIZE} bytes`);
  }
}

/** SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]. */
export function noteKeyId(name: string, publicKey: Uint8Array): Uint8Array {
  assertKeyName(name);
  assertEd25519PublicKey(publicKey);
  const digest = sha256(utf8(name), new Uint8Array([0x0a, ED25519_TYPE]), publicKey);
  return new Uint8Array(digest.subarray(0, KEY_ID_SIZE));
}

// Strict standard base64 with padding: exactly one accepted encoding per byte string.
export function strictBase64(s: string): Uint8Array | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) return null;
  const bytes = decodeBase64(s);
  if (bytes === null || toBase64(bytes) !== s) return null;
  return bytes;
}


/**
 * A kind of vkey `name+hex(keyid)+base64(type ‖ Ed25519 public key)`: a note verifier's (0x01) or a
 * witness's (cosignature/v1, 0x04), each with its name rule and key id.
 */
export interface VkeyKind {
  /** How errors name it: `verifier key`, `witness key`. */
  what: string;
  type: number;
  /** How errors name the type: `an Ed25519 (0x01)`. */
  typeName: string;
  isName(name: string): boolean;
  keyId(name: string, publicKey: Uint8Array): Uint8Array;
}

const VERIFIER_KEY: VkeyKind = { what: 'verifier key', type: ED25519_TYPE, typeName: 'an Ed25519 (0x01)', isName: isValidKeyName, keyId: noteKeyId };

/** The vkey of `name` and `publicKey` of that kind. */
export function formatVkey(kind: VkeyKind, name: string, publicKey: Uint8Array): string {
  const keyId = kind.keyId(name, publicKey);
  const typed = new Uint8Array(1 + ED25519_PUBLIC_KEY_SIZE);
  typed[0] = kind.type;
  typed.set(publicKey, 1);
  return `${name}+${toHex(keyId)}+${toBase64(typed)}`;
}

/** Parses a vkey of that kind; throws an Error saying what is wrong. */
export function parseVkey(kind: VkeyKind, vkey: string): VerifierKey {
  const { what } = kind;
  // Split at the first two '+' only: names and hex never contain one, base64 may.
  const first = vkey.indexOf('+');
  const second = first < 0 ? -1 : vkey.indexOf('+', first + 1);
  if (second < 0) throw new Error(`${what}: expected name+keyid+key`);
  const name = vkey.slice(0, first);
  const hex = vkey.slice(first + 1, second);
  if (!kind.isName(name)) throw new Error(`${what}: invalid key name`);
  // Hex digits in either case, as golang.org/x/mod/sumdb/note accepts.
  if (!/^[0-9a-fA-F]{8}$/.test(hex)) throw new Error(`${what}: key id must be 8 hex digits`);
  const typed = strictBase64(vkey.slice(second + 1));
  if (typed === null) throw new Error(`${what}: key is not canonical base64`);
  if (typed.length === 0 || typed[0] !== kind.type) throw new Error(`${what}: not ${kind.typeName} key`);
  if (typed.length !== 1 + ED25519_PUBLIC_KEY_SIZE) throw new Error(`${what}: Ed25519 key must be 32 bytes`);
  const publicKey = typed.slice(1);
  const keyId = kind.keyId(name, publicKey);
  if (!equalBytes(keyId, fromHex(hex) as Uint8Array)) throw new Error(`${what}: key id does not match name and key`);
  return { name, keyId, publicKey };
}

/** `name+hex(keyid)+base64(0x01 ‖ public key)`, the form other note tools read. */
export function formatVerifierKey(name: string, publicKey: Uint8Array): string {
  return formatVkey(VERIFIER_KEY, name, publicKey);
}

/** Parses an Ed25519 verifier key; throws an Error saying what is wrong. */
export function parseVerifierKey(vkey: string): VerifierKey {
  return parseVkey(VERIFIER_KEY, vkey);
}

function assertNoteText(text: string): void {
  if (text.length === 0 || !text.endsWith('\n')) throw new Error('note text must be non-empty and end with a newline');
  if (!isWellFormedString(text)) throw new Error('note text must be valid UTF-8');
  if (hasControlChars(text)) throw new Error('note text must not contain control characters other than newline');
}

/**
 * Signs `text` (the signature covers its UTF-8 bytes) and returns the signed note
 * with one signature line. `sign` is the injected Ed25519 signer holding the
 * private key; its 64-byte output is checked, not trusted.
 */
export function signNote(
  text: string,
  name: string,
  publicKey: Uint8Array,
  sign: (message: Uint8Array) => Uint8Array,
): string {
  assertNoteText(text);
  const keyId = noteKeyId(name, publicKey);
  const signature = sign(utf8(text));
  if (!(signature instanceof Uint8Array) || signature.length !== ED25519_SIGNATURE_SIZE) {
    throw new Error(`signer returned ${signature?.length} bytes, an Ed25519 signature is 64`);
  }
  const blob = new Uint8Array(KEY_ID_SIZE + ED25519_SIGNATURE_SIZE);
  blob.set(keyId, 0);
  blob.set(signature, KEY_ID_SIZE);
  return `${text}\n${SIGNATURE_PREFIX}${name} ${toBase64(blob)}\n`;
}

function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verifyEd25519(importRawPublicKey(publicKey), message, signature);
  } catch {
    return false;
  }
}

/**
 * Verifies `note` against one trusted key, per C2SP signed-note: lines from
 * other keys are ignored (witness cosignatures, rotated keys), but every line must
 * be well formed, and a line from the trusted key that fails to verify, or
 * appears twice, rejects the note.
 */
export function openNote(note: string, verifierKey: string): OpenNoteResult {
  let key: VerifierKey;
  try {
    key = parseVerifierKey(verifierKey);
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
  if (!isWellFormedString(note)) return { ok: false, reason: 'note is not valid UTF-8' };
  if (hasControlChars(note)) return { ok: false, reason: 'note contains control characters' };
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return { ok: false, reason: 'note has no blank line before its signatures' };
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (text.length === 0) return { ok: false, reason: 'note text is empty' };
  if (block.length === 0 || !block.endsWith('\n')) return { ok: false, reason: 'note has no signature lines' };
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURE_LINES) return { ok: false, reason: 'too many signature lines' };
  const message = utf8(text);
  let verified = false;
  for (const line of lines) {
    if (!line.startsWith(SIGNATURE_PREFIX)) return { ok: false, reason: 'malformed signature line' };
    const rest = line.slice(SIGNATURE_PREFIX.length);
    const space = rest.indexOf(' ');
    if (space < 0) return { ok: false, reason: 'malformed signature line' };
    const name = rest.slice(0, space);
    const blob = strictBase64(rest.slice(space + 1));
    if (!isValidKeyName(name) || blob === null || blob.length <= KEY_ID_SIZE) {
      return { ok: false, reason: 'malformed signature line' };
    }
    // Only the (name, key id) pair identifies our key; a match on one alone is someone else's.
    if (name !== key.name || !equalBytes(blob.subarray(0, KEY_ID_SIZE), key.keyId)) continue;
    if (verified) return { ok: false, reason: 'repeated signature from the verifier key' };
    if (!ed25519Verify(key.publicKey, message, blob.subarray(KEY_ID_SIZE))) {
      return { ok: false, reason: 'signature does not verify' };
    }
    verified = true;
  }
  return verified ? { ok: true, text } : { ok: false, reason: 'no signature from the verifier key' };
}

/** tlog-checkpoint text: `origin\nsize\nbase64(root)\n`. */
export function formatCheckpoint(origin: string, size: number, root: Uint8Array): string {
  if (origin.length === 0 || origin.includes('\n') || hasControlChars(origin) || !isWellFormedString(origin)) {
    throw new Error('checkpoint origin must be a non-empty single line of text');
  }
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`checkpoint size must be a non-negative integer, got ${size}`);
  if (!(root instanceof Uint8Array) || root.length !== ROOT_SIZE) throw new Error('checkpoint root must be 32 bytes');
  return `${origin}\n${size}\n${toBase64(root)}\n`;
}

/**
 * Strict parse of checkpoint text (as returned by openNote): at least three
 * non-empty lines; extension lines after the third are allowed and ignored.
 * Sizes beyond 2^53−1 are refused: they cannot be represented exactly here.
 */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw new Error('checkpoint: text must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw new Error('checkpoint: expected origin, size and root lines');
  if (lines.some((l) => l.length === 0)) throw new Error('checkpoint: empty line');
  const [origin, sizeLine, rootLine] = lines;
  if (!/^(0|[1-9][0-9]*)$/.test(sizeLine)) throw new Error('checkpoint: size must be decimal without leading zeros');
  const size = Number(sizeLine);
  if (!Number.isSafeInteger(size)) throw new Error('checkpoint: size too large');
  const root = strictBase64(rootLine);
  if (root === null || root.length !== ROOT_SIZE) throw new Error('checkpoint: root must be base64 of 32 bytes');
  return { origin, size, root };
}
