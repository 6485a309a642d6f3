import fc from 'fast-check';
import { cryptoProvider, importPublicKey, pureJsCrypto, useCrypto, utf8, verifyEd25519, decodeBase64url } from '../../../src/core/crypto/crypto';
import { StatementSigner } from '../../../src/core/formats/statement-signer';
import { confirmSignatures, decodeNative, encodeNative, forgetConfirmed, installNativeCrypto } from '../../../src/web/lib/native-crypto';

// WebCrypto confirms signatures ahead of the core's synchronous checks; the core then skips its own
// arithmetic (pure JS in a page) for exactly those (key, message, signature) triples, and for nothing else.
describe('web audit: signatures confirmed by WebCrypto', () => {
  const alice = StatementSigner.generate();
  const circle = 'QAAAAAAAAAAAAAAAAAAAAA';
  const line = (jws: string, seq = 0) => JSON.stringify({ v: 1, circle, seq, prev: null, recordedAt: '2026-12-05T10:00:00.000Z', jws });
  const parts = (jws: string) => {
    const dot = jws.lastIndexOf('.');
    return { message: utf8(jws.slice(0, dot)), signature: decodeBase64url(jws.slice(dot + 1))! };
  };
  let slowChecks = 0;

  beforeAll(() => {
    const base = cryptoProvider();
    useCrypto({ ...base, verify: (k, m, s) => (slowChecks++, base.verify(k, m, s)) });
    installNativeCrypto();
  });
  beforeEach(() => {
    slowChecks = 0;
    forgetConfirmed();
  });

  it('lets the core accept a confirmed signature without the pure-JS check, once', async () => {
    const jws = alice.sign('member.leave', circle, {});
    const key = importPublicKey(alice.rawPublicKey);
    await confirmSignatures([line(jws)], (kid) => (kid === alice.id ? key : undefined));
    const { message, signature } = parts(jws);
    expect(verifyEd25519(key, message, signature)).toBe(true);
    expect(slowChecks).toBe(0);
    // used up: the same triple again is checked the slow way (and still holds)
    expect(verifyEd25519(key, message, signature)).toBe(true);
    expect(slowChecks).toBe(1);
  });

  it('never accepts another message, another key, or a signature WebCrypto refused', async () => {
    const jws = alice.sign('member.leave', circle, {});
    const key = importPublicKey(alice.rawPublicKey);
    const { message, signature } = parts(jws);
    await confirmSignatures([line(jws)], () => key);
    const other = parts(alice.sign('member.accept', circle, {})).message;
    expect(verifyEd25519(key, other, signature)).toBe(false);
    await confirmSignatures([line(jws)], () => key);
    expect(verifyEd25519(importPublicKey(StatementSigner.generate().rawPublicKey), message, signature)).toBe(false);

    // a tampered payload under the original signature: WebCrypto refuses it, the core does too
    const [h, p, s] = jws.split('.');
    const tampered = [h, Buffer.from(Buffer.from(p, 'base64url').toString().replace('member.leave', 'member.xxxxx')).toString('base64url'), s].join('.');
    slowChecks = 0;
    await confirmSignatures([line(tampered)], () => key);
    expect(verifyEd25519(key, parts(tampered).message, parts(tampered).signature)).toBe(false);
    expect(slowChecks).toBe(1);
  });

  it('leaves lines it cannot read, and unknown keys, to the core', async () => {
    const jws = alice.sign('member.leave', circle, {});
    await confirmSignatures(['not json', '{"jws":42}', line('a.b'), line(jws)], () => undefined);
    const { message, signature } = parts(jws);
    expect(cryptoProvider().verify(importPublicKey(alice.rawPublicKey), message, signature)).toBe(true);
    expect(slowChecks).toBe(1);
  });

  it('takes the key of a registration from its header', async () => {
    const jws = alice.sign('member.register', null, { name: 'Alice' });
    await confirmSignatures([line(jws)], () => undefined);
    const { message, signature } = parts(jws);
    expect(verifyEd25519(importPublicKey(alice.rawPublicKey), message, signature)).toBe(true);
    expect(slowChecks).toBe(0);
  });
});

describe('web: base64 by the browser, as strict as the pure-JS provider', () => {
  it('encodes as the pure-JS provider does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, url) => {
        expect(encodeNative(bytes, url)).toBe(pureJsCrypto.encodeBase64(bytes, url));
      }),
    );
    const big = new Uint8Array(100_000).map((_, i) => i * 7);
    expect(encodeNative(big, true)).toBe(pureJsCrypto.encodeBase64(big, true));
  });

  it('decodes what it accepts, and refuses what it refuses', () => {
    const same = (text: string, url: boolean) => {
      const mine = decodeNative(text, url);
      const theirs = pureJsCrypto.decodeBase64(text, url);
      expect({ text, url, bytes: mine && [...mine] }).toEqual({ text, url, bytes: theirs && [...theirs] });
    };
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...'AQgw_-+/=Zz09 .'.split('')), maxLength: 12 }), fc.boolean(), same));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), (bytes, url) => same(pureJsCrypto.encodeBase64(bytes, url), url)));
    for (const text of ['AB', 'AA', 'A', 'AAA=', 'AA==', 'AB==', 'QQ==', 'AAA', '']) for (const url of [true, false]) same(text, url);
  });
});
