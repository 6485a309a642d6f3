import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../core/rules/domain-error';
import { ErrorCode, isErrorCode, statusOf } from './error-status';

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  field?: string;
  requestId?: string;
  /** What failed, where the framework says (the health check's indicators). */
  details?: unknown;
}

/** Every refusal leaves as `{code, message, field?}` with the status of its code. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendError(exception, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), this.logger);
  }
}

/** The error answer for a refusal or a failure; also used by routes registered on Fastify directly. */
export function sendError(exception: unknown, request: FastifyRequest, reply: FastifyReply, logger: Pick<Logger, 'error'>): void {
  const { status, body } = errorAnswer(exception, String(request.id), logger);
  const send = () => void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
  if (body.code === 'PAYLOAD_TOO_LARGE') void drain(request.raw).then(send);
  else send();
}

/** The status and JSON body of a refusal or failure (a failure is logged). */
export function errorAnswer(exception: unknown, requestId: string, logger: Pick<Logger, 'error'>): { status: number; body: ErrorBody } {
  const body = errorBody(exception);
  body.requestId = requestId;
  const status = statusOf(body.code);
  if (status >= 500) logger.error(exception instanceof Error ? exception.stack : String(exception));
  return { status, body };
}

/** How much of an oversized body is read and dropped before the 413 is sent. */
export const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

/**
 * A body refused for its size is still on its way: read it to the end (and drop it) before
 * answering, so a client that sends the whole body before reading gets the 413, not a connection
 * cut under it (EPIPE). Past `maxBytes` the connection is closed after the answer.
 */
export function drain(raw: FastifyRequest['raw'], maxBytes = MAX_DRAIN_BYTES): Promise<void> {
  if (raw.complete || raw.readableEnded || raw.destroyed) return Promise.resolve();
  return new Promise<void>((resolve) => {
    let seen = 0;
    const done = () => {
      raw.removeListener('data', onData);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > maxBytes) done();
    };
    raw.on('data', onData);
    raw.once('end', done);
    raw.once('error', done);
    raw.once('close', done);
    raw.resume();
  });
}

function errorBody(exception: unknown): ErrorBody {
  if (exception instanceof DomainError || hasStableCode(exception)) {
    const code = isErrorCode(exception.code) ? exception.code : 'INTERNAL';
    return { code, message: exception.message, ...(exception.field ? { field: exception.field } : {}) };
  }
  const fastifyCode = (exception as { code?: string } | null)?.code;
  if (fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE') return { code: 'PAYLOAD_TOO_LARGE', message: 'Request body too large' };
  if (fastifyCode === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return { code: 'INVALID_REQUEST', message: 'Expected application/json' };
  const parseFailure = exception instanceof HttpException && exception.getStatus() === 400 && /JSON/i.test(exception.message);
  if (fastifyCode === 'FST_ERR_CTP_EMPTY_JSON_BODY' || fastifyCode === 'FST_ERR_CTP_INVALID_JSON_BODY' || exception instanceof SyntaxError || parseFailure) {
    return { code: 'MALFORMED_JSON', message: 'The request body is not valid JSON' };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status === 404) return { code: 'NOT_FOUND', message: exception.message };
    if (status === 413) return { code: 'PAYLOAD_TOO_LARGE', message: 'Request body too large' };
    if (status === 503) return { code: 'SERVICE_UNAVAILABLE', message: exception.message, details: exception.getResponse() };
    if (status < 500) return { code: 'INVALID_REQUEST', message: exception.message };
  }
  return { code: 'INTERNAL', message: 'Internal error' };
}

function hasStableCode(e: unknown): e is { code: string; message: string; field?: string } {
  const code = (e as { code?: unknown } | null)?.code;
  return e instanceof Error && typeof code === 'string' && isErrorCode(code);
}
