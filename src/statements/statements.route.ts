// POST /api/v1/statements, the one hot route, answered in front of Fastify (common/raw-routes.ts)
// rather than by a Nest controller or a Fastify route: Nest's router, its middleware, Fastify's
// hooks and body parser cost about as much CPU per request as the rest of the request's handling
// outside verification. The answers are the same: the body the service returns with 201, and every
// refusal as the exception filter sends it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { PinoLogger } from 'nestjs-pino';
import { rawRoutesOf } from '../common/raw-routes';
import { errorResponses, named } from '../common/openapi';
import { z } from 'zod';
import { StatementsService } from './statements.service';

export const STATEMENTS_PATH = '/api/v1/statements';

/** The route's entry in the OpenAPI document (it has no Nest controller to describe it). */
export const STATEMENTS_OPENAPI = {
  post: {
    operationId: 'StatementsController_submit',
    summary: 'Submit a signed statement',
    description:
      'The compact JWS of a statement (SPEC §3.3). Verified, then appended to its log in one transaction. ' +
      'Answers the entry (circle, seq, leaf hash), plus `id` for a genesis (the circle id) or a proposal. ' +
      'The payload the JWS signs is a `StatementPayload`, its `body` the `*Body` component of its type ' +
      '(`VoteCastBody`, `DelegationSetBody`, …); docs/statements.md has one signed example of each.',
    tags: ['statements'],
    requestBody: {
      required: true,
      content: { 'application/json': { schema: { type: 'object', required: ['jws'], properties: { jws: { type: 'string' } } } } },
    },
    responses: {
      '201': {
        description: 'Appended',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/StatementAccepted' } } },
      },
      ...Object.fromEntries(
        errorResponses([
          'MALFORMED_JWS',
          'MALFORMED_JSON',
          'NOT_CANONICAL',
          'BAD_HEADER',
          'UNSUPPORTED_ALG',
          'INVALID_REQUEST',
          'INVALID_STATEMENT',
          'BAD_SIGNATURE',
          'UNKNOWN_MEMBER',
          'UNKNOWN_CIRCLE',
          'UNKNOWN_PROPOSAL',
          'NOT_A_MEMBER',
          'NOT_INVITED',
          'NOT_ALLOWED',
          'NOT_ELIGIBLE',
          'PAYLOAD_TOO_LARGE',
          'REPLAYED_STATEMENT',
          'SEEN_NOT_PREFIX',
          'ALREADY_REGISTERED',
          'ALREADY_MEMBER',
          'PROPOSAL_CLOSED',
          'WRONG_PHASE',
          'NO_VOTE',
          'CLOCK_SKEW',
          'CHOICE_NOT_ALLOWED',
          'REASON_REQUIRED',
          'WINDOW_TOO_SHORT',
          'INVALID_PARAMS',
          'NOT_AMENDABLE',
          'AMENDMENT_FIND_MISMATCH',
          'SELF_DELEGATION',
          'DELEGATE_NOT_MEMBER',
          'NO_SUCH_DELEGATION',
          'UNKNOWN_KEY',
          'KEY_REVOKED',
          'RECOVERY_KEY_RESTRICTED',
          'KEY_IN_USE',
          'LAST_KEY',
        ]).map(({ status, ...rest }) => [String(status), rest]),
      ),
    },
  },
};

named(
  'StatementAccepted',
  z.object({
    circle: z.string().describe('The log it was appended to ("registry" for member.register)'),
    seq: z.number().int().nonnegative(),
    leaf: z.string().describe('The leaf hash (base64url)'),
    id: z.string().optional().describe('The new circle id (a genesis) or the proposal id (proposal.open)'),
  }),
);

@Injectable()
export class StatementsRoute implements OnModuleInit {
  constructor(
    private readonly statements: StatementsService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter) return; // the worker: no HTTP server
    const routes = rawRoutesOf(adapter.getInstance<object>());
    if (!routes) throw new Error(`${STATEMENTS_PATH} is answered in front of Fastify: make the HTTP application with createHttpApp`);
    routes.add('POST', STATEMENTS_PATH, {
      handler: async ({ body }) => ({ status: 201, body: await this.statements.submit((body as { jws?: unknown } | null)?.jws) }),
      body: '{"jws": "<compact JWS>"}',
      onResponse: logRequest,
    });
  }
}

/**
 * pino-http's line for this request (at info, as pino-http logs every request), only if enabled:
 * the raw request and response, as pino-http passes them to the serializers of LoggingModule.
 */
function logRequest(req: IncomingMessage, res: ServerResponse, ms: number): void {
  const root = PinoLogger.root;
  if (!root?.isLevelEnabled('info')) return;
  root.info({ service: 'archipel', req, res, responseTime: Math.round(ms) }, res.statusCode >= 500 ? 'request errored' : 'request completed');
}
