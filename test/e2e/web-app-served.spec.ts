// The members' web app is served by the service at / and at its own routes, without taking any
// path of the API, the docs, health, the well-known document or the operators' routes.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp, TestApp } from '../support/app';
import { WEB_APP_DIR, WEB_APP_ROUTES } from '../../src/web-app';

describe('the web app, served by the service', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it.each(['/', '/me', '/circles', '/circles/abc', '/circles/abc/audit', '/proposals/xyz', '/join/someone'])('answers the app page at %s', async (path) => {
    const res = await fetch(t.url + path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await res.text();
    expect(html).toMatch(/<div id="app">/);
    expect(html).toMatch(/<script type="module"[^>]* src="\/assets\/index-[\w-]+\.js"/);
  });

  it('serves the built assets, cached for good', async () => {
    const script = readdirSync(join(WEB_APP_DIR, 'assets')).find((f) => /^index-.*\.js$/.test(f));
    expect(script).toBeDefined();
    const res = await fetch(`${t.url}/assets/${script}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(res.headers.get('cache-control')).toContain('immutable');
  });

  it('leaves the API, docs, health and well-known paths to the service', async () => {
    const api = await fetch(`${t.url}/api/v1/circles/AAAAAAAAAAAAAAAAAAAAAA`);
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ code: 'UNKNOWN_CIRCLE' });
    const unknown = await fetch(`${t.url}/api/v1/nothing-here`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/json/);
    expect((await fetch(`${t.url}/health`)).headers.get('content-type')).toMatch(/json/);
    expect((await fetch(`${t.url}/.well-known/archipel.json`)).headers.get('content-type')).toMatch(/json/);
    expect((await fetch(`${t.url}/docs/openapi.json`)).headers.get('content-type')).toMatch(/json/);
    for (const route of WEB_APP_ROUTES) expect(route).not.toMatch(/^\/(api|docs|health|\.well-known|admin|witness)/);
  });
});
