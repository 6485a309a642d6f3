import { ApiClient } from '../support/client';
import { startTestApp, TestApp } from '../support/app';

describe('the service on its real stack', () => {
  let t: TestApp;
  let api: ApiClient;

  beforeAll(async () => {
    t = await startTestApp();
    api = new ApiClient(t.url);
  });
  afterAll(() => t.close());

  it('reports the database and Redis healthy, with queue depths', async () => {
    const answer = await api.get<{ status: string; info: Record<string, { status: string }>; details: Record<string, unknown> }>('/health');
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('ok');
    expect(answer.body.info.database.status).toBe('up');
    expect(answer.body.info.redis.status).toBe('up');
    expect(answer.body.details.queues).toMatchObject({ status: 'up' });
  });

  it('serves the OpenAPI document and its UI at /docs', async () => {
    const doc = await api.get<{ openapi: string; paths: Record<string, unknown> }>('/docs/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/v1/statements', '/api/v1/circles/{id}/log', '/health']));
    const ui = await api.get('/docs');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
  });

  it('echoes a request id and answers unknown routes with a stable error body', async () => {
    const res = await fetch(`${t.url}/nope`, { headers: { 'x-request-id': 'req-123' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('x-request-id')).toBe('req-123');
    expect(await res.json()).toMatchObject({ code: 'NOT_FOUND', requestId: 'req-123' });
  });

  it('publishes the instance key at the well-known path', async () => {
    const wk = await api.get<{ name: string; kid: string; jwk: { kty: string; crv: string; x: string }; noteKey: string }>('/.well-known/archipel.json');
    expect(wk.status).toBe(200);
    expect(wk.body.name).toBe('test.archipel.example');
    expect(wk.body.jwk).toEqual({ kty: 'OKP', crv: 'Ed25519', x: expect.any(String) });
    expect(wk.body.noteKey.startsWith('test.archipel.example+')).toBe(true);
  });
});
