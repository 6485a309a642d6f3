// Every route of the OpenAPI document, read from /docs/openapi.json (so a new route is covered as
// soon as it is documented), called with missing, garbage and oversized parameters: never a 5xx,
// never a stack trace, a file path, a connection string or a secret in an answer, and every
// refusal is the JSON error body of SPEC §10.
import { StatementSigner } from '../../src/core/formats/statement-signer';
import { eventually, startTestApp, TestApp } from '../support/app';
import { ApiClient } from '../support/client';

interface Operation {
  parameters?: { name: string; in: 'path' | 'query' | 'header'; required?: boolean }[];
  requestBody?: unknown;
  responses?: Record<string, { content?: Record<string, unknown> }>;
}

/** How long a route may take to answer (an event stream: to send its head). */
const ANSWER_MS = 5_000;

/** Whether the operation's 2xx answer is an event stream, which stays open once its head is sent. */
function isEventStream(op: Operation): boolean {
  return Object.entries(op.responses ?? {}).some(([status, r]) => status.startsWith('2') && Object.keys(r.content ?? {}).includes('text/event-stream'));
}

type ErrorBody = { code?: unknown; message?: unknown };

const ADMIN_PASSWORD = 'walker-admin-secret-4f1c';

const GARBAGE: string[] = [
  '',
  ' ',
  'x',
  '-1',
  '0',
  '1.5',
  '1e308',
  '99999999999999999999999999999999',
  'NaN',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'prototype',
  '%00',
  '%ZZ',
  '..%2F..%2Fetc%2Fpasswd',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  '🙂'.repeat(10),
  '\u202e\u0000',
  'AAAAAAAAAAAAAAAAAAAAAA', // a well-formed id of nothing (22 characters)
  'A'.repeat(43), // a well-formed member id of nobody
  'a'.repeat(2_000),
  'a'.repeat(12_000), // beyond most URL limits
];

const LEAKS = [/\n\s+at /, /node_modules/, /\/work\//, /\.ts:\d+/, /postgres(?:ql)?:\/\//, /redis:\/\//, /QueryFailedError/, /"d"\s*:/, new RegExp(ADMIN_PASSWORD)];
const ERROR_CODE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;

describe('every documented route refuses missing, garbage and oversized parameters cleanly', () => {
  let t: TestApp;
  let api: ApiClient;
  let doc: { paths: Record<string, Record<string, Operation>> };
  let circle: string;
  let member: string;
  let proposal: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { ADMIN_PASSWORD } });
    api = new ApiClient(t.url);
    doc = (await api.get<typeof doc>('/docs/openapi.json')).body;
    const alice = await api.register('Walker');
    member = alice.id;
    circle = await api.circle(alice, 'Walked', { regime: 'unanimity' });
    const far = new Date(Date.now() + 86_400_000).toISOString();
    proposal = (await api.act(alice, 'proposal.open', circle, { kind: 'motion', title: 'W', text: 'w', closesAt: far })).id as string;
    // the first checkpoint, so checkpoint and proof routes have something to read
    await eventually(async () => (await api.get(`/api/v1/circles/${circle}/checkpoint`)).status === 200, 30_000, 'a checkpoint');
  });
  afterAll(() => t?.close());

  /** A real value for a path parameter, so that query parameters reach the route's own checks. */
  const real = (name: string, path: string): string => {
    if (name === 'member') return member;
    if (name === 'id' && path.startsWith('/api/v1/members')) return member;
    if (name === 'id' && path.startsWith('/api/v1/proposals')) return proposal;
    return circle;
  };

  /** The answer; a route that does not answer within ANSWER_MS gets status 0, a problem for `check`. */
  const call = async (method: string, url: string): Promise<{ status: number; text: string; type: string }> => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), ANSWER_MS);
    try {
      const res = await fetch(`${t.url}${url}`, {
        method: method.toUpperCase(),
        signal: controller.signal,
        ...(method === 'post' ? { headers: { 'content-type': 'application/json' }, body: '{"jws":"x"}' } : {}),
      });
      // An event stream that opened stays open: its head, within ANSWER_MS, is enough.
      if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
        controller.abort();
        return { status: res.status, text: '', type: 'text/event-stream' };
      }
      return { status: res.status, text: await res.text(), type: res.headers.get('content-type') ?? '' };
    } catch (error) {
      if ((error as Error).name === 'AbortError') return { status: 0, text: '', type: 'aborted' };
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };

  const check = (what: string, answer: { status: number; text: string; type: string }): string[] => {
    const problems: string[] = [];
    if (answer.type === 'aborted') problems.push(`${what}: no answer in ${ANSWER_MS} ms`);
    if (answer.status >= 500) problems.push(`${what}: ${answer.status} ${answer.text.slice(0, 200)}`);
    for (const leak of LEAKS) if (leak.test(answer.text)) problems.push(`${what}: leaks ${leak}: ${answer.text.slice(0, 200)}`);
    // 431/414 come from Node's HTTP parser before any route runs; every other refusal is §10's body.
    if (answer.status >= 400 && answer.status !== 431 && answer.status !== 414) {
      let body: ErrorBody | null;
      try {
        body = JSON.parse(answer.text) as ErrorBody | null;
      } catch {
        body = null;
      }
      if (!body || typeof body.code !== 'string' || !ERROR_CODE.test(body.code) || typeof body.message !== 'string') {
        problems.push(`${what}: ${answer.status} without a §10 body: ${answer.text.slice(0, 200)}`);
      }
    }
    return problems;
  };

  it('walks every route with every bad value of every parameter', async () => {
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));
    expect(routes.length).toBeGreaterThan(20);
    const problems: string[] = [];
    let calls = 0;
    for (const { path, method, op } of routes) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const params = op.parameters ?? [];
      const pathParams = params.filter((p) => p.in === 'path').map((p) => p.name);
      const queryParams = params.filter((p) => p.in === 'query').map((p) => p.name);
      const fill = (over: Record<string, string> = {}) =>
        path.replace(/\{([^}]+)\}/g, (_, name: string) => (name in over ? over[name] : encodeURIComponent(real(name, path))));
      const variants: string[] = [];
      for (const name of pathParams) {
        for (const g of GARBAGE) variants.push(fill({ [name]: g.startsWith('%') ? g : encodeURIComponent(g) }));
      }
      for (const name of queryParams) {
        variants.push(`${fill()}?${name}=`);
        for (const g of GARBAGE) variants.push(`${fill()}?${name}=${g.startsWith('%') ? g : encodeURIComponent(g)}`);
        variants.push(`${fill()}?${name}=1&${name}=2`);
        variants.push(`${fill()}?${name}[]=1`);
        variants.push(`${fill()}?${name}[__proto__][x]=1`);
      }
      // No parameters at all, an unknown one, and a query string over the usual limits.
      variants.push(fill(), `${fill()}?unknown=1`, `${fill()}?__proto__=1&constructor=2`, `${fill()}?${'q='.repeat(5_000)}`);
      for (const url of variants) {
        calls++;
        problems.push(...check(`${method.toUpperCase()} ${url.slice(0, 120)}`, await call(method, url)));
      }
    }
    expect(calls).toBeGreaterThan(500);
    expect(problems).toEqual([]);
  }, 600_000);

  it('every event stream sends its head promptly, and only event streams stay open', async () => {
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));
    const streams = routes.filter(({ op }) => isEventStream(op));
    expect(streams.map((r) => r.path)).toContain('/api/v1/circles/{id}/events');
    for (const { path, method } of streams) {
      const url = path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(real(name, path)));
      const started = Date.now();
      const answer = await call(method, url);
      expect({ url, status: answer.status, type: answer.type }).toEqual({ url, status: 200, type: 'text/event-stream' });
      expect(Date.now() - started).toBeLessThan(ANSWER_MS);
    }
  });

  it('a body on every route, garbage or 2 MB, never gets a 5xx', async () => {
    const problems: string[] = [];
    const big = JSON.stringify({ jws: 'a'.repeat(2 * 1024 * 1024) });
    for (const [path, ops] of Object.entries(doc.paths)) {
      const url = path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(real(name, path)));
      for (const method of ['post', 'put', 'delete']) {
        if (ops[method] === undefined && method !== 'post') continue;
        for (const [body, type] of [[big, 'application/json'], ['{"a":', 'application/json'], ['\u0000\u0001', 'application/octet-stream'], ['{"__proto__":{"x":1}}', 'application/json']] as const) {
          const res = await fetch(`${t.url}${url}`, { method: method.toUpperCase(), headers: { 'content-type': type }, body });
          problems.push(...check(`${method.toUpperCase()} ${url} (${type}, ${body.length} bytes)`, { status: res.status, text: await res.text(), type: res.headers.get('content-type') ?? '' }));
        }
      }
    }
    expect(problems).toEqual([]);
  }, 600_000);

  it('an answer never carries the instance private key or the admin password', async () => {
    const key = await api.get('/.well-known/archipel.json');
    expect(key.text).not.toMatch(/"d"\s*:/);
    // A garbage signer cannot make the service echo anything secret either.
    const s = StatementSigner.generate();
    const refused = await api.postJws(s.signRaw({ alg: 'EdDSA', kid: s.id, typ: 'archipel-statement', jwk: s.exportPrivateJwk() }, '{}'));
    expect(refused.status).toBe(400);
    expect(refused.text).not.toContain(s.exportPrivateJwk().d);
  });
});
