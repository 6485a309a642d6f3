import fc from 'fast-check';
import { createPublicKey } from 'node:crypto';
import { compactVerify } from 'jose';
import vector from '../../fixtures/vectors/rfc8037.json';
import { canonicalJson as canonical } from '../../../src/core/formats/canonical-json';
import { memberIdOf, publicKeyFromJwk } from '../../../src/core/formats/keys';
import { isSignableBy, STATEMENT_TYPES } from '../../../src/core/formats/statement-types';
import {
  assertSignature,
  checkClock,
  MAX_STATEMENT_LENGTH,
  MAX_SYSTEM_STATEMENT_LENGTH,
  ParsedStatement,
  parseCompact,
  StatementError,
  StatementErrorCode,
  verifySignature,
} from '../../../src/core/formats/statement';
import { StatementSigner } from '../../../src/core/formats/statement-signer';
import { AT, CIRCLE, circleFor, PROPOSAL, SAMPLE_BODIES, SAMPLE_RATIFICATION, ULID, payloadOf } from './samples';

const ada = StatementSigner.fromPrivateJwk(vector.jwk);

/** The same check through jose's `compactVerify` (EdDSA only): an independent second implementation. */
async function verifyWithJose(jws: string, jwk: { kty: string; crv: string; x: string }): Promise<boolean> {
  try {
    await compactVerify(jws, createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' }), { algorithms: ['EdDSA'] });
    return true;
  } catch {
    return false;
  }
}
const bob = StatementSigner.generate();
const instance = StatementSigner.generate();

const vote = () => ada.sign('vote.cast', CIRCLE, { proposal: PROPOSAL, choice: 'yes' }, { id: ULID, at: AT });
const header = (extra: Record<string, unknown> = {}) => ({ alg: 'EdDSA', kid: ada.id, typ: 'archipel-statement', ...extra });
const votePayload = () => payloadOf('vote.cast', { proposal: PROPOSAL, choice: 'yes' });
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

function errorOf(run: () => unknown): StatementError {
  try {
    run();
  } catch (e) {
    if (e instanceof StatementError) return e;
    throw e;
  }
  throw new Error('expected a StatementError');
}

function expectRefused(jws: string, code: StatementErrorCode, field?: string) {
  const error = errorOf(() => parseCompact(jws));
  expect({ code: error.code, field: error.field }).toEqual({ code, field });
}

/** A ParsedStatement-shaped view of a JWS that is not an Archipel statement (the RFC vector). */
function rawParts(jws: string): ParsedStatement {
  const [h, p, s] = jws.split('.');
  return {
    signingInput: Buffer.from(`${h}.${p}`, 'ascii'),
    signature: Buffer.from(s, 'base64url'),
  } as unknown as ParsedStatement;
}

describe('RFC 8037 vector', () => {
  const key = publicKeyFromJwk({ kty: 'OKP', crv: 'Ed25519', x: vector.jwk.x });

  it('signs to exactly the A.4 JWS (Ed25519 is deterministic)', () => {
    expect(ada.id).toBe(vector.thumbprintSha256);
    expect(ada.signRaw(vector.protectedHeader, vector.payload)).toBe(vector.jwsCompact);
  });

  it('verifies with node:crypto and with jose', async () => {
    expect(verifySignature(rawParts(vector.jwsCompact), key)).toBe(true);
    await expect(verifyWithJose(vector.jwsCompact, vector.jwk)).resolves.toBe(true);
  });

  it('both refuse it tampered, and under another key', async () => {
    const [h, , s] = vector.jwsCompact.split('.');
    const tampered = `${h}.${b64('Example of Ed25519 signinG')}.${s}`;
    expect(verifySignature(rawParts(tampered), key)).toBe(false);
    await expect(verifyWithJose(tampered, vector.jwk)).resolves.toBe(false);
    expect(verifySignature(rawParts(vector.jwsCompact), bob.publicKey)).toBe(false);
    await expect(verifyWithJose(vector.jwsCompact, bob.publicJwk)).resolves.toBe(false);
  });

  it('is not itself an Archipel statement (no typ, no kid, payload not JSON)', () => {
    expectRefused(vector.jwsCompact, 'BAD_HEADER', 'header.typ');
  });
});

describe('parseCompact: round trip', () => {
  it('parses what the signer produced, byte for byte', () => {
    const jws = vote();
    const parsed = parseCompact(jws);
    const [h, p, s] = jws.split('.');
    expect(parsed.jws).toBe(jws);
    expect(parsed.headerB64).toBe(h);
    expect(parsed.payloadB64).toBe(p);
    expect(Buffer.from(parsed.signature).toString('base64url')).toBe(s);
    expect(Buffer.from(parsed.signingInput).toString('ascii')).toBe(`${h}.${p}`);
    expect(Buffer.from(parsed.payloadBytes).toString('utf8')).toBe(
      `{"at":"${AT}","body":{"choice":"yes","proposal":"${PROPOSAL}"},"circle":"${CIRCLE}","id":"${ULID}","type":"vote.cast","v":1}`,
    );
    expect(parsed.header).toEqual({ alg: 'EdDSA', kid: ada.id, typ: 'archipel-statement' });
    expect(parsed.payload).toEqual(votePayload());
    expect(verifySignature(parsed, ada.publicKey)).toBe(true);
    expect(() => assertSignature(parsed, ada.publicKey)).not.toThrow();
  });

  it('carries the public jwk on member.register, and it verifies the statement', () => {
    const parsed = parseCompact(bob.sign('member.register', null, { name: 'Bob' }));
    expect(parsed.header.jwk).toEqual(bob.publicJwk);
    expect(memberIdOf(parsed.header.jwk!)).toBe(parsed.header.kid);
    expect(verifySignature(parsed, publicKeyFromJwk(parsed.header.jwk!))).toBe(true);
  });

  it('parses a statement of every type, member or system', () => {
    for (const type of STATEMENT_TYPES) {
      const signer = isSignableBy(type, 'member') ? ada : instance;
      const parsed = parseCompact(signer.sign(type, circleFor(type), SAMPLE_BODIES[type] as never));
      expect(parsed.payload.type).toBe(type);
      expect(parsed.header.typ).toBe(signer === ada ? 'archipel-statement' : 'archipel-system');
      expect(verifySignature(parsed, signer.publicKey)).toBe(true);
    }
  });

  it('parses a ratification motion opened by the instance', () => {
    const jws = instance.sign('proposal.open', CIRCLE, SAMPLE_RATIFICATION, { typ: 'archipel-system' });
    expect(parseCompact(jws).header.typ).toBe('archipel-system');
  });

  it('accepts a non-canonical protected header as it is (SPEC §3.1)', () => {
    const jws = ada.signRaw(` { "typ" : "archipel-statement", "kid":"${ada.id}",\n"alg":"EdDSA" }`, canonical(votePayload()));
    const parsed = parseCompact(jws);
    expect(verifySignature(parsed, ada.publicKey)).toBe(true);
  });

  it('agrees with jose on signer output and on tampered copies', async () => {
    const jws = vote();
    await expect(verifyWithJose(jws, ada.publicJwk)).resolves.toBe(true);
    const [h, p, s] = jws.split('.');
    const sig = Buffer.from(s, 'base64url');
    sig[10] ^= 1;
    const tampered = `${h}.${p}.${sig.toString('base64url')}`;
    expect(verifySignature(parseCompact(tampered), ada.publicKey)).toBe(false);
    await expect(verifyWithJose(tampered, ada.publicJwk)).resolves.toBe(false);
  });

  it('any one-character change is refused, by parsing or by the signature', () => {
    const jws = vote();
    const alphabet = ALPHABET + '.';
    fc.assert(
      fc.property(fc.nat(jws.length - 1), fc.nat(alphabet.length - 1), (at, c) => {
        const changed = jws.slice(0, at) + alphabet[c] + jws.slice(at + 1);
        fc.pre(changed !== jws);
        let parsed: ParsedStatement;
        try {
          parsed = parseCompact(changed);
        } catch (e) {
          expect(e).toBeInstanceOf(StatementError);
          return;
        }
        expect(verifySignature(parsed, ada.publicKey)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseCompact: headers seen before', () => {
  it('gives the same header for every statement signed with it, frozen so that no caller can change the next one', () => {
    const first = parseCompact(vote());
    const second = parseCompact(ada.sign('member.leave', CIRCLE, {}, { id: ULID, at: AT }));
    expect(second.headerB64).toBe(first.headerB64);
    expect(second.header).toEqual({ alg: 'EdDSA', kid: ada.id, typ: 'archipel-statement' });
    expect(Object.isFrozen(second.header)).toBe(true);
    expect(() => {
      (second.header as { kid: string }).kid = bob.id;
    }).toThrow(TypeError);
    expect(parseCompact(vote()).header.kid).toBe(ada.id);
  });

  it('refuses a bad header every time it is sent, not only the first', () => {
    const bad = ada.signRaw(header({ typ: 'JWT' }), canonical(votePayload()));
    for (let i = 0; i < 3; i++) expect(() => parseCompact(bad)).toThrow(expect.objectContaining({ code: 'BAD_HEADER' }));
  });

  it('parses a header with a jwk (a registration) afresh each time', () => {
    const register = () => bob.sign('member.register', null, { name: 'Bob' }, { id: ULID, at: AT });
    expect(Object.isFrozen(parseCompact(register()).header)).toBe(false);
    expect(parseCompact(register()).header.jwk).toEqual(bob.publicJwk);
  });
});

describe('parseCompact: refusals', () => {
  describe('MALFORMED_JWS', () => {
    const [h, p, s] = vote().split('.');
    it.each([
      ['two segments', `${h}.${p}`, undefined],
      ['four segments', `${h}.${p}.${s}.${s}`, undefined],
      ['JSON serialization', JSON.stringify({ protected: h, payload: p, signature: s }), undefined],
      ['padding', `${h}.${p}.${s}==`, 'signature'],
      ['standard base64 alphabet', `${h}.${p}.${s.replace(/[-_]/g, '+')}x`, 'signature'],
      ['whitespace', `${h}.${p}.${s.slice(0, 40)} ${s.slice(41)}`, 'signature'],
      ['empty signature', `${h}.${p}.`, 'signature'],
      ['short signature', `${h}.${p}.${s.slice(0, 84)}`, 'signature'],
      ['long signature', `${h}.${p}.${s}AAAA`, 'signature'],
      // 64 bytes leave 4 unused bits in the last character: the next letter decodes to the same bytes
      ['non-canonical trailing bits', `${h}.${p}.${s.slice(0, 85)}${ALPHABET[ALPHABET.indexOf(s[85]) + 1]}`, 'signature'],
      ['bad base64 in payload', `${h}.${p.slice(0, 10)}*${p.slice(11)}.${s}`, 'payload'],
      ['empty payload', `${h}..${s}`, 'payload'],
      ['bad base64 in header', `${h}!.${p}.${s}`, 'header'],
      ['empty header', `.${p}.${s}`, 'header'],
    ])('%s', (_label, jws, field) => {
      expectRefused(jws, 'MALFORMED_JWS', field);
    });

    it('not a string', () => {
      expect(errorOf(() => parseCompact(42 as unknown as string)).code).toBe('MALFORMED_JWS');
    });
  });

  describe('MALFORMED_JSON', () => {
    it.each([
      ['payload not JSON', 'hello'],
      ['payload truncated', canonical(votePayload()).slice(0, -1)],
      ['payload with a BOM', '\ufeff' + canonical(votePayload())],
    ])('%s', (_label, payload) => {
      expectRefused(ada.signRaw(header(), payload), 'MALFORMED_JSON', 'payload');
    });

    it('payload not UTF-8', () => {
      const bytes = Buffer.from(canonical(votePayload()).replace('yes', 'y\u00e9s'), 'utf8');
      bytes[bytes.indexOf(0xc3)] = 0xff;
      expectRefused(ada.signRaw(header(), bytes), 'MALFORMED_JSON', 'payload');
    });

    it('header not JSON', () => {
      expectRefused(ada.signRaw('{"alg":"EdDSA",', canonical(votePayload())), 'MALFORMED_JSON', 'header');
    });
  });

  describe('NOT_CANONICAL', () => {
    const text = canonical(votePayload());
    it.each([
      ['spaces after separators', text.replace(/,"/g, ', "').replace(/":/g, '": ')],
      ['trailing newline', text + '\n'],
      ['reordered keys', JSON.stringify(votePayload())],
      ['duplicate key', text.replace('{"at"', `{"at":"${AT}","at"`)],
      ['escaped character', text.replace('"yes"', '"y\\u0065s"')],
      ['number form', text.replace('"v":1', '"v":1.0')],
      ['lone surrogate', text.replace('"yes"', '"\\ud800"')],
    ])('%s', (_label, payload) => {
      expectRefused(ada.signRaw(header(), payload), 'NOT_CANONICAL', 'payload');
    });
  });

  describe('UNSUPPORTED_ALG', () => {
    it.each([['HS256'], ['none'], ['ES256'], ['Ed25519'], ['eddsa'], [undefined]])('alg %s', (alg) => {
      expectRefused(ada.signRaw(header({ alg }), canonical(votePayload())), 'UNSUPPORTED_ALG', 'header.alg');
    });

    it('alg none with an empty signature is refused before the signature is read', () => {
      const unsecured = `${b64(JSON.stringify(header({ alg: 'none' })))}.${b64(canonical(votePayload()))}.`;
      expectRefused(unsecured, 'UNSUPPORTED_ALG', 'header.alg');
    });
  });

  describe('BAD_HEADER', () => {
    const payload = canonical(votePayload());
    const register = canonical(payloadOf('member.register', { name: 'Ada' }));

    it.each([
      ['typ wrong', header({ typ: 'JWT' }), 'header.typ'],
      ['typ missing', header({ typ: undefined }), 'header.typ'],
      ['kid missing', header({ kid: undefined }), 'header.kid'],
      ['kid not a thumbprint', header({ kid: 'ada' }), 'header.kid'],
      ['extra member', header({ cty: 'json' }), 'header.cty'],
      ['crit', header({ crit: ['b64'], b64: false }), 'header.crit'],
      ['b64', header({ b64: true }), 'header.b64'],
      ['jwk on a vote', header({ jwk: ada.publicJwk }), 'header.jwk'],
    ])('%s', (_label, h, field) => {
      expectRefused(ada.signRaw(h, payload), 'BAD_HEADER', field);
    });

    it('header is an array', () => {
      expectRefused(ada.signRaw('["EdDSA"]', payload), 'BAD_HEADER', 'header');
    });

    it('duplicate header member', () => {
      const text = `{"alg":"EdDSA","kid":"${bob.id}","typ":"archipel-statement","kid":"${ada.id}"}`;
      expectRefused(ada.signRaw(text, payload), 'BAD_HEADER', 'header');
    });

    it('duplicate header member spelled with an escape', () => {
      const text = `{"alg":"EdDSA","kid":"${ada.id}","typ":"archipel-statement","\\u0074yp":"archipel-system"}`;
      expectRefused(ada.signRaw(text, payload), 'BAD_HEADER', 'header');
    });

    it('jwk with d (a private key)', () => {
      expectRefused(ada.signRaw(header({ jwk: vector.jwk }), register), 'BAD_HEADER', 'header.jwk.d');
    });

    it('jwk with an extra member', () => {
      expectRefused(ada.signRaw(header({ jwk: { ...ada.publicJwk, use: 'sig' } }), register), 'BAD_HEADER', 'header.jwk');
    });

    it('jwk whose thumbprint is not kid', () => {
      expectRefused(ada.signRaw(header({ jwk: bob.publicJwk }), register), 'BAD_HEADER', 'header.kid');
    });

    it('member.register without jwk', () => {
      expectRefused(ada.signRaw(header(), register), 'BAD_HEADER', 'header.jwk');
    });

    it('a member type under typ archipel-system', () => {
      expectRefused(ada.signRaw(header({ typ: 'archipel-system' }), payload), 'BAD_HEADER', 'header.typ');
    });

    it('a system type under typ archipel-statement', () => {
      const tally = canonical(payloadOf('tally.result', SAMPLE_BODIES['tally.result']));
      expectRefused(instance.signRaw({ alg: 'EdDSA', kid: instance.id, typ: 'archipel-statement' }, tally), 'BAD_HEADER', 'header.typ');
    });
  });

  describe('INVALID_STATEMENT', () => {
    const sign = (value: unknown) => ada.signPayload(value);
    it.each([
      ['lower-case ULID', { ...votePayload(), id: ULID.toLowerCase() }, 'id'],
      ['timestamp without milliseconds', { ...votePayload(), at: '2026-03-01T12:00:00Z' }, 'at'],
      ['timestamp with offset', { ...votePayload(), at: '2026-03-01T13:00:00.000+01:00' }, 'at'],
      ['unknown body member', payloadOf('vote.cast', { proposal: PROPOSAL, choice: 'yes', weight: 5 }), 'body.weight'],
      ['missing body member', payloadOf('vote.cast', { choice: 'yes' }), 'body.proposal'],
      ['unknown payload member', { ...votePayload(), signer: ada.id }, 'signer'],
      ['unknown type', { ...votePayload(), type: 'vote.change' }, 'type'],
      ['payload is an array', [votePayload()], 'payload'],
    ])('%s', (_label, value, field) => {
      expectRefused(sign(value), 'INVALID_STATEMENT', field);
    });

    it('ratifies from a member', () => {
      expectRefused(ada.sign('proposal.open', CIRCLE, SAMPLE_RATIFICATION), 'INVALID_STATEMENT', 'body.ratifies');
    });
  });

  describe('PAYLOAD_TOO_LARGE', () => {
    it('a member statement over the limit', () => {
      const jws = ada.signPayload(payloadOf('proposal.open', { ...SAMPLE_BODIES['proposal.open'], text: 'x'.repeat(MAX_STATEMENT_LENGTH) }));
      expectRefused(jws, 'PAYLOAD_TOO_LARGE', undefined);
    });

    it('a maximal text in 4-byte characters still fits', () => {
      const text = '🌳'.repeat(20_000);
      const jws = ada.sign('proposal.open', CIRCLE, { ...SAMPLE_BODIES['proposal.open'], text });
      expect(jws.length).toBeLessThan(MAX_STATEMENT_LENGTH);
      expect(parseCompact(jws).payload.body).toMatchObject({ text });
    });

    it('anything over the system limit, before decoding', () => {
      expectRefused('a'.repeat(MAX_SYSTEM_STATEMENT_LENGTH + 1), 'PAYLOAD_TOO_LARGE', undefined);
    });
  });
});

describe('assertSignature', () => {
  it('UNKNOWN_MEMBER when no key was found for kid', () => {
    const error = errorOf(() => assertSignature(parseCompact(vote()), undefined));
    expect([error.code, error.field]).toEqual(['UNKNOWN_MEMBER', 'header.kid']);
  });

  it('BAD_SIGNATURE under another member key', () => {
    const error = errorOf(() => assertSignature(parseCompact(vote()), bob.publicKey));
    expect([error.code, error.field]).toEqual(['BAD_SIGNATURE', 'signature']);
  });

  it('BAD_SIGNATURE when a signature is moved onto another payload', () => {
    const [h, , s] = vote().split('.');
    const [, p] = ada.sign('vote.cast', CIRCLE, { proposal: PROPOSAL, choice: 'no' }, { id: ULID, at: AT }).split('.');
    const error = errorOf(() => assertSignature(parseCompact(`${h}.${p}.${s}`), ada.publicKey));
    expect(error.code).toBe('BAD_SIGNATURE');
  });

  it('refuses a key handle that is not an imported Ed25519 public key', () => {
    expect(verifySignature(parseCompact(vote()), {} as never)).toBe(false);
  });
});

describe('checkClock', () => {
  const now = Date.parse('2026-03-01T12:00:00.000Z');
  it.each([
    ['exactly now', '2026-03-01T12:00:00.000Z'],
    ['exactly the skew ahead', '2026-03-01T12:05:00.000Z'],
    ['exactly the skew behind', '2026-03-01T11:55:00.000Z'],
  ])('accepts %s', (_label, at) => {
    expect(() => checkClock(at, now, 300)).not.toThrow();
  });

  it.each([
    ['one millisecond past the skew ahead', '2026-03-01T12:05:00.001Z'],
    ['one millisecond past the skew behind', '2026-03-01T11:54:59.999Z'],
    ['a day off', '2026-03-02T12:00:00.000Z'],
  ])('refuses %s', (_label, at) => {
    const error = errorOf(() => checkClock(at, now, 300));
    expect([error.code, error.field]).toEqual(['CLOCK_SKEW', 'at']);
  });

  it('with zero skew accepts only the exact millisecond', () => {
    expect(() => checkClock('2026-03-01T12:00:00.000Z', now, 0)).not.toThrow();
    expect(errorOf(() => checkClock('2026-03-01T12:00:00.001Z', now, 0)).code).toBe('CLOCK_SKEW');
  });

  it('refuses a malformed timestamp as INVALID_STATEMENT', () => {
    expect(errorOf(() => checkClock('2026-03-01 12:00:00', now, 300)).code).toBe('INVALID_STATEMENT');
  });
});
