// Bull Board at /admin/queues (docs/operations.md#queue-dashboard): every queue of the job
// catalogue, behind HTTP basic auth with ADMIN_USER / ADMIN_PASSWORD.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import fastifyBasicAuth from '@fastify/basic-auth';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyPluginAsync, onRequestHookHandler } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';

type BoardServerAdapter = Parameters<typeof createBullBoard>[0]['serverAdapter'];

export const DASHBOARD_PATH = '/admin/queues';

export interface DashboardCredentials {
  user: string;
  password: string;
}

/**
 * Constant-time check of a user/password pair. Both sides are hashed first so the comparison
 * runs on equal lengths (and does not reveal the expected length); both fields are always
 * compared, so the timing does not tell which one was wrong.
 */
export function credentialsMatch(expected: DashboardCredentials, user: string, password: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  const userOk = timingSafeEqual(digest(user), digest(expected.user));
  const passwordOk = timingSafeEqual(digest(password), digest(expected.password));
  return userOk && passwordOk;
}

/**
 * A Fastify plugin (register it with `{ prefix: DASHBOARD_PATH }`) serving Bull Board for `queues`.
 * Every route under the prefix, static assets included, needs the credentials; a refusal is a 401
 * with `WWW-Authenticate` and the API's error body shape.
 */
export function queueDashboardPlugin(queues: readonly Queue[], credentials: DashboardCredentials): FastifyPluginAsync {
  return async (scope: FastifyInstance, opts: { prefix?: string }) => {
    await scope.register(fastifyBasicAuth, {
      authenticate: { realm: 'Archipel queues' },
      validate: async (user, password) => {
        if (!credentialsMatch(credentials, user, password)) throw new Error('Wrong user name or password');
      },
    });
    // The plugin's hook passes its refusal to Fastify's error handler, which for these routes is
    // Bull Board's (its own body shape); answer here instead, with the API's error body.
    const basicAuth = scope.basicAuth as onRequestHookHandler;
    scope.addHook('onRequest', (request, reply, done) => {
      void basicAuth.call(scope, request, reply, (err?: Error) => {
        if (!err) return done();
        void reply
          .code(401)
          .header('content-type', 'application/json; charset=utf-8')
          .send({ code: 'UNAUTHORIZED', message: 'The queue dashboard needs a user name and password', requestId: String(request.id) });
      });
    });

    // Bull Board answers a body over the limit with its own error body ({"error":{"key":
    // "ERRORS.INTERNAL_SERVER_ERROR"},…}): answer it with the API's, as every other route does (SPEC §10).
    scope.addHook('onSend', async (request, reply, payload) => {
      if (reply.statusCode !== 413) return payload;
      void reply.header('content-type', 'application/json; charset=utf-8');
      return JSON.stringify({ code: 'PAYLOAD_TOO_LARGE', message: 'Request body too large', requestId: String(request.id) });
    });

    const serverAdapter = new BullBoardFastifyAdapter();
    serverAdapter.setBasePath(opts.prefix ?? DASHBOARD_PATH);
    createBullBoard({
      queues: queues.map((q) => new BullMQAdapter(q)),
      // @bull-board/fastify 9.10.1 pins its own copy of @bull-board/api (9.10.1) for its types;
      // the adapter is the same interface at run time.
      serverAdapter: serverAdapter as unknown as BoardServerAdapter,
      options: { uiConfig: { boardTitle: 'Archipel queues' } },
    });
    await scope.register(serverAdapter.registerPlugin());
  };
}
