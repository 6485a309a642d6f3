// SPEC §10: every kind of bad input is refused with its stable code and leaves nothing written.
import { DataSource } from 'typeorm';
import { StatementSigner } from '../../src/core/formats/statement-signer';
import { canonicalJson, formatTimestamp } from '../../src/core/formats/canonical-json';
import { memberIdOf } from '../../src/core/formats/keys';
import { startTestApp, TestApp } from '../support/app';
import { ApiClient } from '../support/client';

describe('bad input', () => {
  let t: TestApp;
  let api: ApiClient;
  let alice: StatementSigner;
  let bob: StatementSigner;
  let circle: string;
  let ds: DataSource;

  beforeAll(async () => {
    t = await startTestApp();
    api = new ApiClient(t.url);
    ds = t.app.get(DataSource);
    alice = await api.register('Alice');
    bob = await api.register('Bob');
    circle = await api.circle(alice, 'Strict');
  });
  afterAll(() => t.close());

  const written = async () => {
    const [row] = await ds.query(
      `SELECT (SELECT count(*) FROM log_entry)::int AS entries, (SELECT count(*) FROM merkle_node)::int AS nodes,
              (SELECT count(*) FROM circle_membership)::int AS memberships, (SELECT count(*) FROM member)::int AS members,
              (SELECT count(*) FROM invitation)::int AS invitations, (SELECT count(*) FROM circle)::int AS circles`,
    );
    return row;
  };

  const header = (kid: string) => ({ alg: 'EdDSA', kid, typ: 'archipel-statement' });
  const payload = (type: string, c: string | null, body: unknown, extra: Record<string, unknown> = {}) => ({
    v: 1,
    type,
    id: '01JZ0000000000000000000000'.slice(0, 20) + Math.random().toString(36).slice(2, 8).toUpperCase().replace(/[ILOU]/g, 'A').padEnd(6, '0'),
    circle: c,
    at: formatTimestamp(Date.now()),
    body,
    ...extra,
  });

  const cases: Array<[string, () => unknown, number, string, string?]> = [
    ['no jws member', () => ({}), 400, 'INVALID_REQUEST', 'jws'],
    ['a JSON body that does not parse', () => '{"jws": ', 400, 'MALFORMED_JSON'],
    ['two segments', () => ({ jws: 'abc.def' }), 400, 'MALFORMED_JWS'],
    ['padding in base64url', () => ({ jws: 'eyJh=.eyJh.abc' }), 400, 'MALFORMED_JWS'],
    ['a payload that is not JSON', () => ({ jws: bob.signRaw(header(bob.id), 'not json') }), 400, 'MALFORMED_JSON'],
    [
      'a payload not in JCS form',
      () => ({ jws: bob.signRaw(header(bob.id), JSON.stringify(payload('member.leave', circle, {}), null, 1)) }),
      400,
      'NOT_CANONICAL',
    ],
    ['alg HS256', () => ({ jws: bob.signRaw({ ...header(bob.id), alg: 'HS256' }, '{}') }), 400, 'UNSUPPORTED_ALG'],
    ['a system typ from a member', () => ({ jws: bob.sign('member.leave', circle, {}, { typ: 'archipel-system' }) }), 400, 'BAD_HEADER'],
    [
      'a signature by another key',
      () => {
        const jws = bob.sign('member.leave', circle, {});
        const forged = alice.sign('member.leave', circle, {}).split('.')[2];
        return { jws: jws.split('.').slice(0, 2).join('.') + '.' + forged };
      },
      401,
      'BAD_SIGNATURE',
    ],
    ['an unregistered key', () => ({ jws: StatementSigner.generate().sign('member.leave', circle, {}) }), 404, 'UNKNOWN_KEY'],
    ['a clock far behind', () => ({ jws: bob.sign('member.leave', circle, {}, { at: formatTimestamp(Date.now() - 3_600_000) }) }), 422, 'CLOCK_SKEW'],
    ['an unknown circle', () => ({ jws: bob.sign('member.leave', 'AAAAAAAAAAAAAAAAAAAAAA', {}) }), 404, 'UNKNOWN_CIRCLE'],
    ['an action by a non-member', () => ({ jws: bob.sign('member.invite', circle, { member: bob.id }) }), 403, 'NOT_A_MEMBER'],
    ['an unknown body member', () => ({ jws: bob.signPayload(payload('member.leave', circle, { extra: 1 })) }), 422, 'INVALID_STATEMENT', 'body.extra'],
    ['a lower-case statement id', () => ({ jws: bob.sign('member.leave', circle, {}, { id: '01jz0000000000000000000000' }) }), 422, 'INVALID_STATEMENT', 'id'],
    ['an oversized statement', () => ({ jws: bob.sign('member.register', null, { name: 'x'.repeat(70_000) } as never) }), 413, 'PAYLOAD_TOO_LARGE'],
    ['a second registration of a key', () => ({ jws: alice.sign('member.register', null, { name: 'Again' }) }), 409, 'ALREADY_REGISTERED'],
    [
      'a seen checkpoint that is not a prefix',
      () => ({ jws: alice.sign('member.invite', circle, { member: bob.id }, { seen: { size: 1, root: 'A'.repeat(43) } }) }),
      409,
      'SEEN_NOT_PREFIX',
      'seen.root',
    ],
    [
      'a seen size beyond the log',
      () => ({ jws: alice.sign('member.invite', circle, { member: bob.id }, { seen: { size: 99, root: 'A'.repeat(43) } }) }),
      409,
      'SEEN_NOT_PREFIX',
      'seen.size',
    ],
    ['an invitation of an unregistered member', () => ({ jws: alice.sign('member.invite', circle, { member: StatementSigner.generate().id }) }), 404, 'UNKNOWN_MEMBER', 'body.member'],
    ['a circle under an unknown parent', () => ({ jws: bob.sign('circle.create', null, { name: 'X', regime: 'amendment', parent: 'AAAAAAAAAAAAAAAAAAAAAA' }) }), 404, 'UNKNOWN_CIRCLE', 'body.parent'],
    ['a circle under a parent one is not in', () => ({ jws: bob.sign('circle.create', null, { name: 'X', regime: 'amendment', parent: circle }) }), 403, 'NOT_A_MEMBER', 'body.parent'],
    ['bad parameters', () => ({ jws: bob.sign('circle.create', null, { name: 'X', regime: 'amendment', params: { majorityQuorum: 2 } }) }), 422, 'INVALID_PARAMS', 'body.params.majorityQuorum'],
    [
      // The identity point as public key: (R = identity, S = 0) satisfies RFC 8032's equation for
      // every message, so anyone could sign for such a member (OpenSSL would accept it).
      'a registration with a key of small order, signed by nobody',
      () => {
        const identity = Buffer.alloc(32);
        identity[0] = 1;
        const jwk = { crv: 'Ed25519', kty: 'OKP', x: identity.toString('base64url') } as const;
        const kid = memberIdOf(jwk);
        const signingInput = [JSON.stringify({ ...header(kid), jwk }), canonicalJson(payload('member.register', null, { name: 'Anyone' }))]
          .map((part) => Buffer.from(part).toString('base64url'))
          .join('.');
        return { jws: `${signingInput}.${Buffer.concat([identity, Buffer.alloc(32)]).toString('base64url')}` };
      },
      401,
      'BAD_SIGNATURE',
    ],
  ];

  it.each(cases.map(([name, make, status, code, field]) => ({ name, make, status, code, field })))(
    'refuses $name with its code and writes nothing',
    async ({ make, status, code, field }) => {
    const before = await written();
    const body = make();
    const answer = await api.post('/api/v1/statements', body);
    expect({ status: answer.status, code: answer.body.code }).toEqual({ status, code });
    expect(typeof answer.body.message).toBe('string');
    if (field) expect(answer.body.field).toBe(field);
    expect(await written()).toEqual(before);
  },
  );

  it('refuses a replayed statement id, even with another body', async () => {
    const invite = alice.sign('member.invite', circle, { member: bob.id });
    expect((await api.postJws(invite)).status).toBe(201);
    const before = await written();
    const replay = await api.postJws(invite);
    expect(replay.body).toMatchObject({ code: 'REPLAYED_STATEMENT', field: 'id' });
    const id = JSON.parse(Buffer.from(invite.split('.')[1], 'base64url').toString()).id as string;
    const sameId = await api.postJws(alice.sign('member.invite', circle, { member: alice.id }, { id }));
    expect(sameId.body.code).toBe('REPLAYED_STATEMENT');
    expect(await written()).toEqual(before);
  });

  it('accepts a seen checkpoint that is a prefix of the log', async () => {
    const cp = (await api.get(`/api/v1/circles/${circle}/checkpoint`)).text.split('\n');
    const seen = { size: Number(cp[1]), root: Buffer.from(cp[2], 'base64').toString('base64url') };
    const answer = await api.postJws(bob.sign('member.accept', circle, {}, { seen }));
    expect(answer.status).toBe(201);
  });
});
