// The one door through which src/core/ reaches hashing, Ed25519 and base64. The core runs on the
// server, in worker threads, in the CLI and in browsers; each installs the provider that is fastest
// where it runs (src/platform/node-crypto.ts on Node). Until one is installed, the pure-JS provider
// below (audited @noble and @scure libraries) serves, so the core works anywhere out of the box.
import { ed25519 } from '@noble/curves/ed25519';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2';
import { base64, base64urlnopad } from '@scure/base';

/** An imported Ed25519 public key, opaque: a provider's own representation (a KeyObject on Node). */
export interface PublicKeyHandle {
  readonly __ed25519PublicKey: never;
}

/** An imported Ed25519 private key (seed), opaque. Never serialized by the core. */
export interface PrivateKeyHandle {
  readonly __ed25519PrivateKey: never;
}

export interface CryptoProvider {
  readonly name: string;
  /** SHA-256 over the concatenation of `parts`. */
  sha256(...parts: Uint8Array[]): Uint8Array;
  /** A 32-byte raw Ed25519 public key; throws on a wrong length. */
  importPublicKey(raw: Uint8Array): PublicKeyHandle;
  /** The 32 raw bytes of an imported public key. */
  exportPublicKey(key: PublicKeyHandle): Uint8Array;
  /** False for a wrong signature, a malformed one, or a key of another provider. */
  verify(key: PublicKeyHandle, message: Uint8Array, signature: Uint8Array): boolean;
  /** A 32-byte Ed25519 seed (RFC 8032 private key). */
  importPrivateKey(seed: Uint8Array): PrivateKeyHandle;
  exportPrivateKey(key: PrivateKeyHandle): Uint8Array;
  publicKeyOf(key: PrivateKeyHandle): Uint8Array;
  sign(key: PrivateKeyHandle, message: Uint8Array): Uint8Array;
  randomBytes(length: number): Uint8Array;
  /** Standard base64 with padding (`url` false) or base64url without padding (`url` true). */
  encodeBase64(bytes: Uint8Array, url: boolean): string;
  /** Lenient decoding: callers that need one spelling per value re-encode and compare. */
  decodeBase64(text: string, url: boolean): Uint8Array | null;
}

type NobleKey = { raw: Uint8Array };

export const pureJsCrypto: CryptoProvider = {
  name: 'noble',
  sha256(...parts) {
    if (parts.length === 1) return nobleSha256(parts[0]);
    const h = nobleSha256.create();
    for (const p of parts) h.update(p);
    return h.digest();
  },
  importPublicKey(raw) {
    if (!(raw instanceof Uint8Array) || raw.length !== 32) throw new TypeError('an Ed25519 public key is 32 bytes');
    return { raw: Uint8Array.from(raw) } as NobleKey as unknown as PublicKeyHandle;
  },
  exportPublicKey(key) {
    return Uint8Array.from((key as unknown as NobleKey).raw);
  },
  verify(key, message, signature) {
    const raw = (key as unknown as NobleKey).raw;
    if (!(raw instanceof Uint8Array) || signature.length !== 64) return false;
    try {
      // zip215: false — RFC 8032 strict verification, as node:crypto (OpenSSL) does.
      return ed25519.verify(signature, message, raw, { zip215: false });
    } catch {
      return false;
    }
  },
  importPrivateKey(seed) {
    if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new TypeError('an Ed25519 seed is 32 bytes');
    return { raw: Uint8Array.from(seed) } as NobleKey as unknown as PrivateKeyHandle;
  },
  exportPrivateKey(key) {
    return Uint8Array.from((key as unknown as NobleKey).raw);
  },
  publicKeyOf(key) {
    return ed25519.getPublicKey((key as unknown as NobleKey).raw);
  },
  sign(key, message) {
    return ed25519.sign(message, (key as unknown as NobleKey).raw);
  },
  randomBytes(length) {
    const out = new Uint8Array(length);
    globalThis.crypto.getRandomValues(out);
    return out;
  },
  encodeBase64(bytes, url) {
    return url ? base64urlnopad.encode(bytes) : base64.encode(bytes);
  },
  decodeBase64(text, url) {
    try {
      return url ? base64urlnopad.decode(text) : base64.decode(text);
    } catch {
      return null;
    }
  },
};

let provider: CryptoProvider = pureJsCrypto;

/** Install the provider for this process or thread (once, at start, before any use). */
export function useCrypto(next: CryptoProvider): void {
  provider = next;
}

export function cryptoProvider(): CryptoProvider {
  return provider;
}

export function sha256(...parts: Uint8Array[]): Uint8Array {
  return provider.sha256(...parts);
}

export function importPublicKey(raw: Uint8Array): PublicKeyHandle {
  return provider.importPublicKey(raw);
}

export function verifyEd25519(key: PublicKeyHandle, message: Uint8Array, signature: Uint8Array): boolean {
  return provider.verify(key, message, signature);
}

export function randomBytes(length: number): Uint8Array {
  return provider.randomBytes(length);
}

const utf8Encoder = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/** base64url without padding (RFC 7515 §2). */
export function toBase64url(bytes: Uint8Array | string): string {
  return provider.encodeBase64(typeof bytes === 'string' ? utf8(bytes) : bytes, true);
}

/** Standard base64 with padding (C2SP signed notes). */
export function toBase64(bytes: Uint8Array): string {
  return provider.encodeBase64(bytes, false);
}

const BASE64URL_TEXT = /^[A-Za-z0-9_-]*$/;
const BASE64URL_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Whether `text` is the one base64url spelling (no padding, RFC 4648 §5) of some bytes: alphabet
 * only, a possible length, and the bits of the last digit that carry no byte all zero ("AB" is
 * not canonical, "AA" is). The same answer as decoding and comparing the re-encoding, without
 * either.
 */
export function isCanonicalBase64url(text: string): boolean {
  if (!BASE64URL_TEXT.test(text)) return false;
  const rest = text.length % 4;
  if (rest === 0) return true;
  if (rest === 1) return false;
  // 2 digits carry 1 byte (4 bits unused), 3 digits carry 2 bytes (2 bits unused).
  return (BASE64URL_DIGITS.indexOf(text[text.length - 1]) & (rest === 2 ? 0x0f : 0x03)) === 0;
}

/** Lenient decoding; null when the text is not base64url at all. */
export function decodeBase64url(text: string): Uint8Array | null {
  return provider.decodeBase64(text, true);
}

/** Lenient decoding; null when the text is not base64 at all. */
export function decodeBase64(text: string): Uint8Array | null {
  return provider.decodeBase64(text, false);
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

export function fromHex(hex: string): Uint8Array | null {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
