// The core's two crypto providers agree: node:crypto (server, CLI, tests) and the pure-JS one that
// browsers run (src/core/crypto/crypto.ts). RFC 8032 §7.1 test 1 and random cases.
import { createPublicKey, verify } from 'node:crypto';
import fc from 'fast-check';
import { nodeCrypto } from '../../../src/platform/node-crypto';
import { type CryptoProvider, pureJsCrypto } from '../../../src/core/crypto/crypto';

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const RFC8032_SEED = hex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
const RFC8032_PUBLIC = hex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
const RFC8032_SIGNATURE = hex(
  'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
);

describe.each<[string, CryptoProvider]>([
  ['node:crypto + libsodium', nodeCrypto],
  ['noble', pureJsCrypto],
])('the %s provider', (_name, p) => {
  it('signs and verifies RFC 8032 test 1', () => {
    const key = p.importPrivateKey(RFC8032_SEED);
    expect(Buffer.from(p.publicKeyOf(key))).toEqual(Buffer.from(RFC8032_PUBLIC));
    expect(Buffer.from(p.sign(key, new Uint8Array()))).toEqual(Buffer.from(RFC8032_SIGNATURE));
    const pub = p.importPublicKey(RFC8032_PUBLIC);
    expect(p.verify(pub, new Uint8Array(), RFC8032_SIGNATURE)).toBe(true);
    expect(p.verify(pub, new Uint8Array([0]), RFC8032_SIGNATURE)).toBe(false);
    expect(p.verify(pub, new Uint8Array(), RFC8032_SIGNATURE.subarray(1))).toBe(false);
    expect(Buffer.from(p.exportPublicKey(pub))).toEqual(Buffer.from(RFC8032_PUBLIC));
    expect(Buffer.from(p.exportPrivateKey(key))).toEqual(Buffer.from(RFC8032_SEED));
  });

  it('hashes the empty string and "abc" as SHA-256 does', () => {
    expect(Buffer.from(p.sha256()).toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(Buffer.from(p.sha256(Buffer.from('a'), Buffer.from('bc'))).toString('hex')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('refuses keys of the wrong length', () => {
    expect(() => p.importPublicKey(new Uint8Array(31))).toThrow(TypeError);
    expect(() => p.importPrivateKey(new Uint8Array(33))).toThrow(TypeError);
  });

  it('decodes only its alphabet', () => {
    expect(p.decodeBase64('a*b=', false)).toBeNull();
    expect(p.decodeBase64('a+b/', true)).toBeNull();
  });
});

describe('what the node provider (libsodium) refuses that OpenSSL accepts', () => {
  // The identity point as public key, and the signature (R = identity, S = 0): RFC 8032's
  // cofactorless equation holds for every message, so a key of small order can be signed for by
  // anyone. OpenSSL accepts it; the service must not append what stricter verifiers refuse.
  const identity = new Uint8Array(32);
  identity[0] = 1;
  const forged = new Uint8Array(64);
  forged[0] = 1;
  const message = new TextEncoder().encode('any message at all');

  it('refuses a signature that a key of small order makes valid for every message', () => {
    const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), identity]);
    expect(verify(null, message, createPublicKey({ key: spki, format: 'der', type: 'spki' }), forged)).toBe(true);
    expect(nodeCrypto.verify(nodeCrypto.importPublicKey(identity), message, forged)).toBe(false);
    expect(pureJsCrypto.verify(pureJsCrypto.importPublicKey(identity), message, forged)).toBe(false);
  });

  it('refuses a valid signature with bytes after it', () => {
    const key = nodeCrypto.importPrivateKey(RFC8032_SEED);
    const signature = nodeCrypto.sign(key, message);
    const pub = nodeCrypto.importPublicKey(RFC8032_PUBLIC);
    expect(nodeCrypto.verify(pub, message, signature)).toBe(true);
    expect(nodeCrypto.verify(pub, message, Buffer.concat([signature, new Uint8Array([0])]))).toBe(false);
  });

  it('verifies a message and a signature given as views into larger buffers', () => {
    const key = nodeCrypto.importPrivateKey(RFC8032_SEED);
    const signature = nodeCrypto.sign(key, message);
    const around = new Uint8Array(200);
    around.set(message, 10);
    around.set(signature, 100);
    const pub = nodeCrypto.importPublicKey(RFC8032_PUBLIC);
    expect(nodeCrypto.verify(pub, around.subarray(10, 10 + message.length), around.subarray(100, 164))).toBe(true);
  });
});

describe('node:crypto and noble agree', () => {
  it('on hashes, base64, signatures and verification of arbitrary inputs', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 300 }), fc.boolean(), (seed, msg, url) => {
        expect(Buffer.from(pureJsCrypto.sha256(msg))).toEqual(Buffer.from(nodeCrypto.sha256(msg)));
        expect(pureJsCrypto.encodeBase64(msg, url)).toBe(nodeCrypto.encodeBase64(msg, url));
        const text = nodeCrypto.encodeBase64(msg, url);
        expect(Buffer.from(pureJsCrypto.decodeBase64(text, url)!)).toEqual(Buffer.from(nodeCrypto.decodeBase64(text, url)!));
        const signature = nodeCrypto.sign(nodeCrypto.importPrivateKey(seed), msg);
        expect(Buffer.from(pureJsCrypto.sign(pureJsCrypto.importPrivateKey(seed), msg))).toEqual(Buffer.from(signature));
        const raw = nodeCrypto.publicKeyOf(nodeCrypto.importPrivateKey(seed));
        expect(pureJsCrypto.verify(pureJsCrypto.importPublicKey(raw), msg, signature)).toBe(true);
        const bad = Uint8Array.from(signature);
        bad[0] ^= 1;
        expect(pureJsCrypto.verify(pureJsCrypto.importPublicKey(raw), msg, bad)).toBe(nodeCrypto.verify(nodeCrypto.importPublicKey(raw), msg, bad));
      }),
      { numRuns: 200 },
    );
  });
});
