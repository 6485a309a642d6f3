import { INestApplication, ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { IncomingMessage } from 'node:http';
import { Logger } from 'nestjs-pino';
import { requestIdOf } from './common/logging.module';
import { RawRoutes } from './common/raw-routes';
import { apiComponents } from './common/openapi';
import './statements/statement-bodies';
import { parseConfig } from './config/config.schema';
import { STATEMENTS_OPENAPI, STATEMENTS_PATH } from './statements/statements.route';
import { serveWebApp } from './web-app';
import { ADD_CHECKPOINT_OPENAPI, ADD_CHECKPOINT_PATH } from './witness/witness.route';

type ModuleClass = NonNullable<ModuleMetadata['imports']>[number];

/** Build the HTTP application (Fastify) around a root module; used by main.ts, start.ts and tests. */
export async function createHttpApp(root: ModuleClass, opts: { bufferLogs?: boolean; shutdownHooks?: boolean } = {}): Promise<NestFastifyApplication> {
  const config = parseConfig(process.env);
  const bodyLimit = config.MAX_STATEMENT_BYTES * 2 + 4096;
  // The hot route is answered in front of Fastify, on the server Fastify runs on (raw-routes.ts).
  const rawRoutes = new RawRoutes(bodyLimit);
  const adapter = new FastifyAdapter({
    bodyLimit,
    genReqId: (req: IncomingMessage) => requestIdOf(req as IncomingMessage & { id?: unknown }),
    trustProxy: true,
    serverFactory: rawRoutes.serverFactory as never,
  });
  rawRoutes.attach(adapter.getInstance());
  const app = await NestFactory.create<NestFastifyApplication>(root as never, adapter, { bufferLogs: opts.bufferLogs ?? true });
  app.useLogger(app.get(Logger));
  // Nest's hooks close the application on SIGTERM/SIGINT, then raise the signal again, which ends the
  // process at once: `npm start` (start.ts) stops its child processes first, so it handles signals itself.
  if (opts.shutdownHooks !== false) app.enableShutdownHooks();
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', async (request, reply) => {
      reply.header('x-request-id', request.id);
    });
  setupOpenApi(app);
  await serveWebApp(app);
  await app.init();
  return app;
}

export function setupOpenApi(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Archipel')
      .setDescription(
        'Liquid-democracy governance for a federation of nested circles. Every action is a signed statement ' +
          'appended to a circle\'s verifiable log (see docs/log-format.md).',
      )
      .setVersion(process.env.npm_package_version ?? '0.1.0')
      .build(),
  );
  // Registered on Fastify directly (statements.route.ts), so described here.
  document.paths[STATEMENTS_PATH] = STATEMENTS_OPENAPI as never;
  document.paths[ADD_CHECKPOINT_PATH] = ADD_CHECKPOINT_OPENAPI as never;
  // Every answer, event and statement body, from the zod schemas (common/openapi.ts).
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...(apiComponents() as Record<string, object>) } };
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
}
