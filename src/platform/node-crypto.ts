// The core's crypto provider on Node: node:crypto (OpenSSL) and Buffer, several times faster than
// the pure-JS provider on the ingest and verify paths. Installed by every Node entry point through
// `installNodeCrypto()` (main, worker, start, CLI and its worker threads, benchmarks, Jest setup).
import { createHash, createPrivateKey, createPublicKey, hash, KeyObject, randomBytes, sign, verify } from 'node:crypto';
import { type CryptoProvider, type PrivateKeyHandle, type PublicKeyHandle, useCrypto } from '../core/crypto/crypto';

// DER prefixes of an Ed25519 SubjectPublicKeyInfo (RFC 8410) and of a PKCS #8 private key.
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** A 32-byte raw key behind its DER prefix (RFC 8410). */
function der(prefix: Buffer, raw: Uint8Array, what: string): Buffer {
  if (!(raw instanceof Uint8Array) || raw.length !== 32) throw new TypeError(`an Ed25519 ${what} is 32 bytes`);
  return Buffer.concat([prefix, raw]);
}

/** The last 32 bytes of a key's DER export: the raw key (RFC 8410). */
function rawKey(key: PublicKeyHandle | PrivateKeyHandle, type: 'spki' | 'pkcs8'): Uint8Array {
  const exported = (key as unknown as KeyObject).export({ format: 'der', type } as never) as Buffer;
  return new Uint8Array(exported.subarray(exported.length - 32));
}

const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export const nodeCrypto: CryptoProvider = {
  name: 'node:crypto',
  sha256(...parts) {
    if (parts.length === 1) return hash('sha256', parts[0], 'buffer');
    const h = createHash('sha256');
    for (const p of parts) h.update(p);
    return h.digest();
  },
  importPublicKey(raw) {
    return createPublicKey({ key: der(SPKI_PREFIX, raw, 'public key'), format: 'der', type: 'spki' }) as unknown as PublicKeyHandle;
  },
  exportPublicKey(key) {
    return rawKey(key, 'spki');
  },
  verify(key, message, signature) {
    if (!(key instanceof KeyObject)) return false;
    try {
      return verify(null, message, key, signature);
    } catch {
      return false;
    }
  },
  importPrivateKey(seed) {
    return createPrivateKey({ key: der(PKCS8_PREFIX, seed, 'seed'), format: 'der', type: 'pkcs8' }) as unknown as PrivateKeyHandle;
  },
  exportPrivateKey(key) {
    return rawKey(key, 'pkcs8');
  },
  publicKeyOf(key) {
    const der = createPublicKey(key as unknown as KeyObject).export({ format: 'der', type: 'spki' });
    return new Uint8Array(der.subarray(der.length - 32));
  },
  sign(key, message) {
    return sign(null, message, key as unknown as KeyObject);
  },
  randomBytes(length) {
    return randomBytes(length);
  },
  encodeBase64(bytes, url) {
    return asBuffer(bytes).toString(url ? 'base64url' : 'base64');
  },
  decodeBase64(text, url) {
    // Buffer skips characters outside the alphabet; refuse them here instead.
    if (!(url ? /^[A-Za-z0-9_-]*$/ : /^[A-Za-z0-9+/]*={0,2}$/).test(text)) return null;
    return new Uint8Array(Buffer.from(text, url ? 'base64url' : 'base64'));
  },
};

export function installNodeCrypto(): void {
  useCrypto(nodeCrypto);
}
