import { calculateJwkThumbprint } from 'jose';
import fc from 'fast-check';
import { generateKeyPairSync } from 'node:crypto';
import vector from '../../fixtures/vectors/rfc8037.json';
import {
  importRawPublicKey,
  isEd25519PublicJwk,
  memberIdOf,
  publicKeyFromJwk,
  PublicKeyCache,
} from '../../../src/core/formats/keys';
import { StatementSigner } from '../../../src/core/formats/statement-signer';
import { cryptoProvider, pureJsCrypto, toBase64url, useCrypto, utf8, verifyEd25519 } from '../../../src/core/crypto/crypto';

const publicVectorJwk = { kty: 'OKP' as const, crv: 'Ed25519' as const, x: vector.jwk.x };

describe('memberIdOf', () => {
  it('is the RFC 8037 A.3 thumbprint of the RFC 8037 A.1 key', () => {
    expect(memberIdOf(publicVectorJwk)).toBe(vector.thumbprintSha256);
    expect(memberIdOf(publicVectorJwk)).toHaveLength(43);
  });

  it('agrees with jose calculateJwkThumbprint on random keys', async () => {
    for (let i = 0; i < 20; i++) {
      const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
      const expected = await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: jwk.x as string }, 'sha256');
      expect(memberIdOf({ kty: 'OKP', crv: 'Ed25519', x: jwk.x as string })).toBe(expected);
    }
  });

  it('refuses a key that is not Ed25519', () => {
    expect(() => memberIdOf({ kty: 'OKP', crv: 'X25519' as 'Ed25519', x: vector.jwk.x })).toThrow(TypeError);
  });
});

describe('isEd25519PublicJwk', () => {
  it('accepts exactly {kty, crv, x}', () => {
    expect(isEd25519PublicJwk(publicVectorJwk)).toBe(true);
    expect(isEd25519PublicJwk({ x: vector.jwk.x, crv: 'Ed25519', kty: 'OKP' })).toBe(true);
  });

  it('refuses a private key (with d)', () => {
    expect(isEd25519PublicJwk(vector.jwk)).toBe(false);
  });

  it.each([
    ['extra member', { ...publicVectorJwk, kid: 'k' }],
    ['alg member', { ...publicVectorJwk, alg: 'EdDSA' }],
    ['missing x', { kty: 'OKP', crv: 'Ed25519' }],
    ['wrong kty', { ...publicVectorJwk, kty: 'EC' }],
    ['wrong crv', { ...publicVectorJwk, crv: 'Ed448' }],
    ['x too short', { ...publicVectorJwk, x: vector.jwk.x.slice(1) }],
    ['x padded', { ...publicVectorJwk, x: vector.jwk.x + '=' }],
    ['x standard base64', { ...publicVectorJwk, x: vector.jwk.x.replace(/_/g, '/') }],
    ['x non-canonical trailing bits', { ...publicVectorJwk, x: vector.jwk.x.slice(0, 42) + 'p' }],
    ['x not a string', { ...publicVectorJwk, x: 42 }],
    ['null', null],
    ['array', [publicVectorJwk]],
    ['string', JSON.stringify(publicVectorJwk)],
  ])('refuses %s', (_label, jwk) => {
    expect(isEd25519PublicJwk(jwk)).toBe(false);
  });

  it('never accepts an object carrying d, whatever else it holds', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string(), (extra, d) => {
        expect(isEd25519PublicJwk({ ...extra, ...publicVectorJwk, d })).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});

describe('PublicKeyCache', () => {
  const keys = Array.from({ length: 4 }, () => StatementSigner.generate().publicKey);

  it('evicts the least recently used entry beyond its capacity', () => {
    const cache = new PublicKeyCache(2);
    cache.set('a', keys[0]);
    cache.set('b', keys[1]);
    expect(cache.get('a')).toBe(keys[0]); // a is now the most recent
    cache.set('c', keys[2]);
    expect(cache.size).toBe(2);
    expect(cache.has('b')).toBe(false);
    expect(cache.get('a')).toBe(keys[0]);
    expect(cache.get('c')).toBe(keys[2]);
  });

  it('replacing an entry does not grow it', () => {
    const cache = new PublicKeyCache(2);
    cache.set('a', keys[0]);
    cache.set('a', keys[1]);
    expect(cache.size).toBe(1);
    expect(cache.get('a')).toBe(keys[1]);
  });

  it('imports a JWK once and serves it by member id', () => {
    const cache = new PublicKeyCache();
    const first = cache.getOrImport(publicVectorJwk);
    expect(toBase64url(cryptoProvider().exportPublicKey(first))).toBe(publicVectorJwk.x);
    expect(cache.getOrImport(publicVectorJwk)).toBe(first);
    expect(cache.get(vector.thumbprintSha256)).toBe(first);
  });

  it('refuses a capacity below one', () => {
    expect(() => new PublicKeyCache(0)).toThrow(RangeError);
  });

  it('publicKeyFromJwk refuses a private JWK', () => {
    expect(() => publicKeyFromJwk(vector.jwk as never)).toThrow(TypeError);
  });
});

describe('importRawPublicKey', () => {
  const alice = StatementSigner.generate();
  const bob = StatementSigner.generate();
  const message = utf8('a checkpoint');
  const signature = alice.signBytes(message);

  it('imports a raw key once: the same handle for the same bytes, another for another key', () => {
    const first = importRawPublicKey(alice.rawPublicKey);
    expect(importRawPublicKey(Uint8Array.from(alice.rawPublicKey))).toBe(first);
    expect(Buffer.from(cryptoProvider().exportPublicKey(first))).toEqual(Buffer.from(alice.rawPublicKey));
    expect(verifyEd25519(first, message, signature)).toBe(true);
    const other = importRawPublicKey(bob.rawPublicKey);
    expect(other).not.toBe(first);
    expect(verifyEd25519(other, message, signature)).toBe(false);
  });

  it('refuses a key that is not 32 bytes, every time', () => {
    expect(() => importRawPublicKey(alice.rawPublicKey.subarray(1))).toThrow(TypeError);
    expect(() => importRawPublicKey(alice.rawPublicKey.subarray(1))).toThrow(TypeError);
  });

  it('gives a handle of the provider installed now, not one cached for another', () => {
    const before = cryptoProvider();
    const nodeHandle = importRawPublicKey(alice.rawPublicKey);
    useCrypto(pureJsCrypto);
    try {
      const nobleHandle = importRawPublicKey(alice.rawPublicKey);
      expect(nobleHandle).not.toBe(nodeHandle);
      expect(verifyEd25519(nobleHandle, message, signature)).toBe(true);
    } finally {
      useCrypto(before);
    }
    expect(importRawPublicKey(alice.rawPublicKey)).toBe(nodeHandle);
  });
});
