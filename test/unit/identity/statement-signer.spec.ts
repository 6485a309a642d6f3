import { decodeTime } from 'ulid';
import vector from '../../fixtures/vectors/rfc8037.json';
import { checkClock, parseCompact, StatementError, verifySignature } from '../../../src/core/formats/statement';
import { StatementSigner } from '../../../src/core/formats/statement-signer';
import { ULID_PATTERN } from '../../../src/core/formats/statement-types';
import { AT, CIRCLE, id32, PROPOSAL, SAMPLE_BODIES } from './samples';

describe('StatementSigner', () => {
  it('generates distinct members whose id is the thumbprint of their key', () => {
    const a = StatementSigner.generate();
    const b = StatementSigner.generate();
    expect(a.id).not.toBe(b.id);
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Object.keys(a.publicJwk).sort()).toEqual(['crv', 'kty', 'x']);
  });

  it('exports a private JWK that loads back to the same member', () => {
    const a = StatementSigner.generate();
    const jwk = a.exportPrivateJwk();
    const again = StatementSigner.fromPrivateJwk(jwk);
    expect(again.id).toBe(a.id);
    expect(verifySignature(parseCompact(again.sign('member.leave', CIRCLE, {})), a.publicKey)).toBe(true);
  });

  it('loads the RFC 8037 private key, and a d without x', () => {
    expect(StatementSigner.fromPrivateJwk(vector.jwk).id).toBe(vector.thumbprintSha256);
    expect(StatementSigner.fromPrivateJwk({ kty: 'OKP', crv: 'Ed25519', d: vector.jwk.d }).publicJwk.x).toBe(vector.jwk.x);
  });

  it('refuses an x that does not belong to d, and a malformed d', () => {
    const other = StatementSigner.generate().publicJwk.x;
    expect(() => StatementSigner.fromPrivateJwk({ ...vector.jwk, x: other })).toThrow(TypeError);
    expect(() => StatementSigner.fromPrivateJwk({ ...vector.jwk, d: vector.jwk.d.slice(1) })).toThrow(TypeError);
    expect(() => StatementSigner.fromPrivateJwk({ ...vector.jwk, crv: 'X25519' })).toThrow(TypeError);
  });

  it('defaults id to a fresh ULID and at to the current time', () => {
    const a = StatementSigner.generate();
    const before = Date.now();
    const first = parseCompact(a.sign('vote.retract', CIRCLE, { proposal: PROPOSAL })).payload;
    const second = parseCompact(a.sign('vote.retract', CIRCLE, { proposal: PROPOSAL })).payload;
    expect(first.id).toMatch(ULID_PATTERN);
    expect(first.id).not.toBe(second.id);
    expect(decodeTime(first.id)).toBeGreaterThanOrEqual(before);
    expect(() => checkClock(first.at, Date.now(), 5)).not.toThrow();
  });

  it('writes the header members in the spec order, jwk only on member.register', () => {
    const a = StatementSigner.generate();
    const headerOf = (jws: string) => Buffer.from(jws.split('.')[0], 'base64url').toString('utf8');
    expect(headerOf(a.sign('member.leave', CIRCLE, {}))).toBe(`{"alg":"EdDSA","kid":"${a.id}","typ":"archipel-statement"}`);
    expect(headerOf(a.sign('member.register', null, { name: 'A' }))).toBe(
      `{"alg":"EdDSA","kid":"${a.id}","typ":"archipel-statement","jwk":${JSON.stringify(a.publicJwk)}}`,
    );
    expect(JSON.parse(headerOf(a.sign('tally.result', CIRCLE, SAMPLE_BODIES['tally.result']))).typ).toBe('archipel-system');
  });

  it('carries the given id, at and seen into the payload', () => {
    const a = StatementSigner.generate();
    const seen = { size: 3, root: id32('root') };
    const id = '01JNKQ8Z3W5X7Y9A0B1C2D3E4G';
    const { payload } = parseCompact(a.sign('regime.position', CIRCLE, { position: 'split' }, { id, at: AT, seen }));
    expect(payload).toEqual({ v: 1, type: 'regime.position', id, circle: CIRCLE, at: AT, body: { position: 'split' }, seen });
  });

  it('signBytes is a bare Ed25519 signature over the message', () => {
    const a = StatementSigner.fromPrivateJwk(vector.jwk);
    const [h, p, s] = vector.jwsCompact.split('.');
    expect(Buffer.from(a.signBytes(Buffer.from(`${h}.${p}`, 'ascii'))).toString('base64url')).toBe(s);
  });

  it('can be told to leave out the jwk or use another typ, which the parser then refuses', () => {
    const a = StatementSigner.generate();
    const refusal = (jws: string) => {
      try {
        parseCompact(jws);
      } catch (e) {
        return (e as StatementError).code;
      }
      return 'accepted';
    };
    expect(refusal(a.sign('member.register', null, { name: 'A' }, { includeJwk: false }))).toBe('BAD_HEADER');
    expect(refusal(a.sign('vote.retract', CIRCLE, { proposal: PROPOSAL }, { typ: 'archipel-system' }))).toBe('BAD_HEADER');
  });
});
