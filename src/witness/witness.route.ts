// POST /witness/add-checkpoint (C2SP tlog-witness), registered on Fastify directly: its body is
// text, not JSON, whatever content type a witness client sends, and a 409 answers the witness's
// size as `text/x.tlog.size`. Other refusals are the usual JSON error body with the spec's status.
import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FastifyRoute } from '../common/fastify-route';
import { errorResponses } from '../common/openapi';
import { DomainError } from '../core/rules/domain-error';
import { TLOG_SIZE_CONTENT_TYPE } from '../core/formats/witness-protocol';
import { WitnessService } from './witness.service';

export const ADD_CHECKPOINT_PATH = '/witness/add-checkpoint';
/** 63 proof lines, a checkpoint and up to 100 signature lines fit well within this. */
const BODY_LIMIT = 64 * 1024;

export const ADD_CHECKPOINT_OPENAPI = {
  post: {
    operationId: 'WitnessController_addCheckpoint',
    summary: 'C2SP tlog-witness add-checkpoint: cosign a checkpoint of a witnessed log',
    description:
      'Body (text): `old <size>`, up to 63 base64 consistency-proof lines, a blank line, then the signed checkpoint. ' +
      'Answers the cosignature/v1 line(s) (200), or 409 with this witness\'s last cosigned size (`text/x.tlog.size`). ' +
      'A request proving a fork is kept as evidence (GET /witness/evidence).',
    tags: ['witness'],
    requestBody: { required: true, content: { 'text/plain': { schema: { type: 'string' } } } },
    responses: {
      '200': { description: 'Cosignature lines', content: { 'text/plain': { schema: { type: 'string' } } } },
      '409': { description: 'The witness has another size (or the same size with another root)', content: { [TLOG_SIZE_CONTENT_TYPE]: { schema: { type: 'string' } } } },
      ...Object.fromEntries(
        errorResponses(['WITNESS_MALFORMED_REQUEST', 'WITNESS_NOT_SIGNED', 'WITNESS_UNKNOWN_ORIGIN', 'WITNESS_INCONSISTENT']).map(({ status, ...rest }) => [String(status), rest]),
      ),
    },
  },
};

@Injectable()
export class WitnessRoute extends FastifyRoute {
  constructor(
    private readonly witness: WitnessService,
    adapterHost: HttpAdapterHost,
  ) {
    super(adapterHost);
  }

  protected register(fastify: FastifyInstance): void {
    void fastify.register(async (scope) => {
      // In this scope only: every body is read as text.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));
      scope.route({
        method: 'POST',
        url: ADD_CHECKPOINT_PATH,
        bodyLimit: BODY_LIMIT,
        errorHandler: this.onError,
        handler: async (request: FastifyRequest, reply: FastifyReply) => {
          if (typeof request.body !== 'string') throw new DomainError('WITNESS_MALFORMED_REQUEST', 'The body is missing', 'body');
          const answer = await this.witness.addCheckpoint(request.body);
          if (answer.status === 409) return reply.code(409).type(TLOG_SIZE_CONTENT_TYPE).send(`${answer.size}\n`);
          return reply.code(200).type('text/plain; charset=utf-8').send(answer.body);
        },
      });
    });
  }
}
