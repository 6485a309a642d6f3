import { z } from 'zod';
import { BODY_SCHEMAS, STATEMENT_TYPES } from '../../src/core/formats/statement-types';
import { bodyComponentName } from '../../src/statements/statement-bodies';
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

describe('the OpenAPI document', () => {
  let t: TestApp;
  let doc: OpenApiDocument;

  beforeAll(async () => {
    t = await startTestApp();
    doc = (await new ApiClient(t.url).get<OpenApiDocument>('/docs/openapi.json')).body;
  });
  afterAll(() => t.close());

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })));
  const resolves = (schema: { $ref?: string }) => !schema.$ref || schema.$ref.replace('#/components/schemas/', '') in doc.components.schemas;

  it('gives every route a 2xx answer with a schema for each media type, resolving to a component', () => {
    expect(operations().length).toBeGreaterThan(20);
    for (const { route, op } of operations()) {
      const ok = Object.entries(op.responses).filter(([status]) => /^2\d\d$/.test(status));
      expect({ route, ok: ok.length }).toEqual({ route, ok: 1 });
      const content = Object.entries(ok[0][1].content ?? {});
      expect({ route, mediaTypes: content.length > 0 }).toEqual({ route, mediaTypes: true });
      for (const [, media] of content) expect({ route, schema: media.schema !== undefined && resolves(media.schema) }).toEqual({ route, schema: true });
    }
  });

  it('lists the error answers of every route as the error body', () => {
    // C2SP tlog-witness fixes this one: a 409 answers the witness's size as text/x.tlog.size.
    const notJson: Record<string, string[]> = { 'POST /witness/add-checkpoint': ['409'] };
    for (const { route, op } of operations()) {
      const errors = Object.entries(op.responses).filter(([status]) => /^[45]\d\d$/.test(status) && !notJson[route]?.includes(status));
      expect({ route, errors: errors.length > 0 }).toEqual({ route, errors: true });
      for (const [, answer] of errors) expect({ route, schema: answer.content?.['application/json']?.schema }).toEqual({ route, schema: { $ref: '#/components/schemas/ErrorBody' } });
    }
    expect(doc.components.schemas.ErrorBody).toMatchObject({ required: ['code', 'message'] });
  });

  it('publishes the body of every statement type as the JSON Schema the server validates with', () => {
    for (const type of STATEMENT_TYPES) {
      const { $schema: _, ...expected } = z.toJSONSchema(BODY_SCHEMAS[type], { target: 'openapi-3.0', unrepresentable: 'any' });
      expect(doc.components.schemas[bodyComponentName(type)]).toMatchObject(expected);
    }
    expect(doc.components.schemas.DelegationSetBody).toMatchObject({
      properties: { scope: { anyOf: [{ properties: { circle: { enum: [true] } } }, { properties: { topic: { type: 'string' } } }, { properties: { proposal: {} } }] } },
    });
  });
});

interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }> }>>;
  components: { schemas: Record<string, Record<string, unknown>> };
}
