// SPEC §3.2 — member identity: an Ed25519 public JWK, named by its RFC 7638
// SHA-256 thumbprint.
import { cryptoProvider, decodeBase64url, importPublicKey, type PublicKeyHandle, sha256, toBase64url, utf8 } from '../crypto/crypto';

/** The only public key form Archipel accepts (RFC 8037 OKP, Ed25519). */
export interface Ed25519PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
}

/** A private Ed25519 JWK: the public members plus the seed `d`. Never sent to the server. */
export interface Ed25519PrivateJwk extends Ed25519PublicJwk {
  d: string;
}

/**
 * Canonical base64url of exactly 32 bytes: 43 characters, no padding, and the
 * two unused trailing bits zero (so one key has exactly one spelling).
 */
export const BASE64URL_32_BYTES = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/** A member id (and any SHA-256 value in our formats): 43-character base64url. */
export function isMemberId(value: unknown): value is string {
  return typeof value === 'string' && BASE64URL_32_BYTES.test(value);
}

/**
 * RFC 7638 thumbprint (SHA-256, base64url) of an Ed25519 public JWK: the hash
 * of `{"crv":"Ed25519","kty":"OKP","x":…}` with members in that order and no
 * whitespace. Computed directly (synchronously) rather than through jose's
 * async helper; the RFC 8037 A.3 vector pins the result.
 */
export function memberIdOf(jwk: Pick<Ed25519PublicJwk, 'kty' | 'crv' | 'x'>): string {
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') {
    throw new TypeError('memberIdOf: not an OKP Ed25519 JWK');
  }
  const canonical = `{"crv":"Ed25519","kty":"OKP","x":${JSON.stringify(jwk.x)}}`;
  return toBase64url(sha256(utf8(canonical)));
}

/**
 * True only for a plain object with exactly `kty: "OKP"`, `crv: "Ed25519"` and
 * a canonical 32-byte base64url `x`. Anything else is refused — in particular
 * a JWK carrying `d`: a private key must never be accepted.
 */
export function isEd25519PublicJwk(jwk: unknown): jwk is Ed25519PublicJwk {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return false;
  const keys = Object.keys(jwk);
  if (keys.length !== 3) return false;
  const o = jwk as Record<string, unknown>;
  return (
    Object.hasOwn(o, 'kty') &&
    Object.hasOwn(o, 'crv') &&
    Object.hasOwn(o, 'x') &&
    o.kty === 'OKP' &&
    o.crv === 'Ed25519' &&
    isMemberId(o.x)
  );
}

/** Import a validated public JWK (slow on Node: cache the result). */
export function publicKeyFromJwk(jwk: Ed25519PublicJwk): PublicKeyHandle {
  if (!isEd25519PublicJwk(jwk)) throw new TypeError('publicKeyFromJwk: not an Ed25519 public JWK');
  return importPublicKey(decodeBase64url(jwk.x) as Uint8Array);
}

export const DEFAULT_PUBLIC_KEY_CACHE_SIZE = 10_000;

/**
 * Bounded LRU cache of member id → imported public PublicKeyHandle. Importing a key
 * costs about as much as verifying a signature, so the ingestion path and the
 * log verifier keep recently used keys here. A Map keeps insertion order: a
 * hit is re-inserted at the end, and the oldest entry is evicted first.
 */
export class PublicKeyCache {
  private readonly entries = new Map<string, PublicKeyHandle>();

  constructor(readonly capacity: number = DEFAULT_PUBLIC_KEY_CACHE_SIZE) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError('PublicKeyCache: capacity must be a positive integer');
    }
  }

  get size(): number {
    return this.entries.size;
  }

  get(memberId: string): PublicKeyHandle | undefined {
    const key = this.entries.get(memberId);
    if (key !== undefined) {
      this.entries.delete(memberId);
      this.entries.set(memberId, key);
    }
    return key;
  }

  has(memberId: string): boolean {
    return this.entries.has(memberId);
  }

  set(memberId: string, key: PublicKeyHandle): void {
    this.entries.delete(memberId);
    this.entries.set(memberId, key);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** The cached key of this JWK's member, importing (and caching) it on a miss. */
  getOrImport(jwk: Ed25519PublicJwk, memberId: string = memberIdOf(jwk)): PublicKeyHandle {
    const cached = this.get(memberId);
    if (cached !== undefined) return cached;
    const key = publicKeyFromJwk(jwk);
    this.set(memberId, key);
    return key;
  }

  delete(memberId: string): boolean {
    return this.entries.delete(memberId);
  }

  clear(): void {
    this.entries.clear();
  }
}

/**
 * The few keys a process checks over and over without a member id to cache them by: the instance
 * keys of its peers and its witnesses (signed-note verifier keys). Importing one costs about as much
 * as verifying a signature with it, and each receipt from a peer is checked with that peer's key
 * several times (its checkpoints, its system statements).
 */
const rawKeys = new PublicKeyCache(1_000);

/** A 32-byte raw Ed25519 public key, imported once per process and crypto provider (bounded LRU). */
export function importRawPublicKey(raw: Uint8Array): PublicKeyHandle {
  // Handles belong to the provider that made them: one installed later gets its own.
  const id = `${cryptoProvider().name} ${toBase64url(raw)}`;
  const cached = rawKeys.get(id);
  if (cached !== undefined) return cached;
  const key = importPublicKey(raw);
  rawKeys.set(id, key);
  return key;
}
