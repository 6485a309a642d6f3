// POST /api/v1/statements is answered in front of Fastify (src/common/raw-routes.ts). Its HTTP
// envelope must be what every other route gives: the same refusals with the same codes, the
// request id in the header and the body, keep-alive, the query string ignored, and every other
// method on the path still Fastify's.
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { Pool } from 'undici';
import { StatementSigner } from '../../src/core/formats/statement-signer';
import { startTestApp, TestApp } from '../support/app';

describe('the statements route, in front of Fastify', () => {
  let t: TestApp;
  let pool: Pool;

  beforeAll(async () => {
    t = await startTestApp();
    pool = new Pool(t.url, { connections: 1 });
  });
  afterAll(async () => {
    await pool.close();
    await t.close();
  });

  async function post(body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }, path = '/api/v1/statements') {
    const res = await pool.request({ method: 'POST', path, headers, body });
    const text = await res.body.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      /* left empty: the test says what it expects */
    }
    return { status: res.statusCode, headers: res.headers, text, json };
  }

  const registration = () => JSON.stringify({ jws: StatementSigner.generate().sign('member.register', null, { name: 'Awa' }) });

  it('appends: 201, JSON, a fresh request id in the header', async () => {
    const answer = await post(registration());
    expect(answer.status).toBe(201);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(answer.json).toMatchObject({ circle: 'registry', seq: expect.any(Number), leaf: expect.any(String) });
  });

  it("keeps the caller's request id, in the header and in a refusal's body", async () => {
    const answer = await post('{}', { 'content-type': 'application/json', 'x-request-id': 'req-42' });
    expect(answer.status).toBe(400);
    expect(answer.headers['x-request-id']).toBe('req-42');
    expect(answer.json).toMatchObject({ code: 'INVALID_REQUEST', field: 'jws', requestId: 'req-42' });
  });

  it('ignores a query string, as Fastify routes do', async () => {
    expect((await post(registration(), { 'content-type': 'application/json' }, '/api/v1/statements?from=cli')).status).toBe(201);
  });

  it.each([
    ['text/plain', 400, 'INVALID_REQUEST', { 'content-type': 'text/plain' }, '{"jws":"a.b.c"}'],
    ['a form', 400, 'INVALID_REQUEST', { 'content-type': 'application/x-www-form-urlencoded' }, 'jws=a.b.c'],
    ['no content type', 400, 'INVALID_REQUEST', {}, '{"jws":"a.b.c"}'],
    ['an empty JSON body', 400, 'MALFORMED_JSON', { 'content-type': 'application/json' }, ''],
    ['JSON that does not parse', 400, 'MALFORMED_JSON', { 'content-type': 'application/json' }, '{"jws": '],
    ['a __proto__ member', 400, 'MALFORMED_JSON', { 'content-type': 'application/json' }, '{"__proto__":{"jws":"a.b.c"}}'],
    ['a constructor.prototype member', 400, 'MALFORMED_JSON', { 'content-type': 'application/json' }, '{"constructor":{"prototype":{"jws":"a.b.c"}}}'],
    ['an array', 400, 'INVALID_REQUEST', { 'content-type': 'application/json' }, '[{"jws":"a.b.c"}]'],
    ['null', 400, 'INVALID_REQUEST', { 'content-type': 'application/json' }, 'null'],
    ['jws not a string', 400, 'INVALID_REQUEST', { 'content-type': 'application/json' }, '{"jws":42}'],
    ['a JSON type with parameters and capitals', 400, 'MALFORMED_JWS', { 'content-type': 'Application/JSON; charset=utf-8' }, '{"jws":"a.b"}'],
  ])('%s: %i %s, with the request id', async (_what, status, code, headers, body) => {
    const answer = await post(body, headers as Record<string, string>);
    expect(answer.status).toBe(status);
    expect(answer.json).toMatchObject({ code, message: expect.any(String), requestId: answer.headers['x-request-id'] });
  });

  it('a body over the limit sent without a length (chunked): 413, and the connection still serves', async () => {
    const res = await pool.request({
      method: 'POST',
      path: '/api/v1/statements',
      headers: { 'content-type': 'application/json' },
      body: Readable.from(
        (function* () {
          for (let i = 0; i < 64; i++) yield Buffer.alloc(16 * 1024, 0x20);
        })(),
      ),
    });
    expect(res.statusCode).toBe(413);
    expect(JSON.parse(await res.body.text())).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect((await post(registration())).status).toBe(201);
  });

  it('answers many requests on one kept-alive connection', async () => {
    for (let i = 0; i < 5; i++) expect((await post(registration())).status).toBe(201);
  });

  it('a client that leaves mid-body does not stop the route', async () => {
    const target = new URL(t.url);
    await new Promise<void>((resolve) => {
      const socket = connect(Number(target.port), target.hostname, () => {
        // Half a body, then gone once it has left: the server is left waiting for the rest.
        socket.write('POST /api/v1/statements HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"jws":"', () => socket.destroy());
      });
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
    });
    expect((await post(registration())).status).toBe(201);
  });

  it('other methods on the path are still Fastify’s: 404 with the JSON error body', async () => {
    const res = await pool.request({ method: 'GET', path: '/api/v1/statements' });
    expect(res.statusCode).toBe(404);
    expect(JSON.parse(await res.body.text())).toMatchObject({ code: 'NOT_FOUND' });
  });
});
