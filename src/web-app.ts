// The members' web app (src/web/, built by Vite into dist/web/): its assets under /assets/ and its
// page (index.html) at / and at each of the app's own routes, so a reload or a shared link opens
// the right page. Only these paths are taken: /api, /docs, /health, /.well-known, /admin and
// /witness stay the service's.
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The app's routes (src/web/app.tsx): each answers the app's page. */
export const WEB_APP_ROUTES = ['/', '/me', '/circles', '/circles/*', '/proposals/*', '/join/*', '/device/*'] as const;

/** dist/web beside the compiled service; from the sources (tests), the built dist/web at the root. */
export const WEB_APP_DIR = existsSync(join(__dirname, 'web', 'assets')) ? join(__dirname, 'web') : join(__dirname, '..', 'dist', 'web');

export async function serveWebApp(app: NestFastifyApplication, dir = WEB_APP_DIR): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  const indexFile = join(dir, 'index.html');
  const built = existsSync(indexFile);
  const page = built ? readFileSync(indexFile) : null;
  if (built) {
    await app.register(fastifyStatic as never, {
      root: join(dir, 'assets'),
      prefix: '/assets/',
      // Vite names every asset by its content hash: cache them for good.
      immutable: true,
      maxAge: '365d',
      decorateReply: false,
    });
  }
  for (const url of WEB_APP_ROUTES) {
    fastify.get(url, async (_request, reply) => {
      if (page === null) {
        return reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .send('The web app is not built: run `npm run build` (it builds src/web/ into dist/web/), then start again.\n');
      }
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .header('content-security-policy', "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'")
        .send(page);
    });
  }
}
