// Routes answered before Fastify sees the request: POST /api/v1/statements, the one hot route. For
// it, Fastify's request pipeline (Nest's onRequest hooks through middie, routing, the body parser's
// async resource, the reply's hooks) cost about a quarter of an API process's CPU per statement
// (docs/performance.md, "the statements route in front of Fastify"). Every other request goes to Fastify
// unchanged, on the same server: this is Fastify's `serverFactory`, making the HTTP/1 server as
// Fastify makes it, with one lookup in front. A raw route answers as the rest of the API does: the
// JSON error body and status of its code, the request id, the body limit with its drained 413.
import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import { Logger } from '@nestjs/common';
import sjson from 'secure-json-parse';
import { DomainError } from '../core/rules/domain-error';
import { drain, errorAnswer } from './http-exception.filter';
import { requestIdOf } from './logging.module';

/** A raw route's work: the request's JSON body in, the 2xx answer's status and body out (or a throw). */
export type RawHandler = (request: RawRequest) => Promise<{ status: number; body: unknown }>;

export interface RawRequest {
  id: string;
  raw: IncomingMessage;
  /** The parsed JSON body. */
  body: unknown;
}

/** After each answer, for the request log line: the request and response as Node has them. */
export type RawResponseListener = (req: IncomingMessage, res: ServerResponse, ms: number) => void;

interface Route {
  handler: RawHandler;
  /** What the body should be, for the refusals' messages. */
  body: string;
  onResponse?: RawResponseListener;
}

type FastifyHandler = (req: IncomingMessage, res: ServerResponse) => void;

interface ServerFactoryOptions {
  http?: ServerOptions;
  keepAliveTimeout?: number;
  requestTimeout?: number;
  connectionTimeout?: number;
  maxRequestsPerSocket?: number;
}

const registries = new WeakMap<object, RawRoutes>();

/** The raw routes of the server a Fastify instance runs on (made by `createHttpApp`). */
export function rawRoutesOf(fastify: object): RawRoutes | undefined {
  return registries.get(fastify);
}

export class RawRoutes {
  private readonly logger = new Logger('HTTP');
  private readonly routes = new Map<string, Route>();

  constructor(private readonly bodyLimit: number) {}

  /** Tie this registry to the Fastify instance whose server it fronts (see `rawRoutesOf`). */
  attach(fastify: object): void {
    registries.set(fastify, this);
  }

  /**
   * Answer `method path` (any query string) here, with a JSON body of at most the body limit.
   * `body`: what the body should be, as a refusal tells the caller (`{"jws": "<compact JWS>"}`).
   */
  add(method: string, path: string, route: Route): void {
    this.routes.set(`${method} ${path}`, route);
  }

  /** Fastify's `serverFactory`: its HTTP/1 server with its timeouts, the raw routes tried first. */
  readonly serverFactory = (fastifyHandler: FastifyHandler, options: ServerFactoryOptions): Server => {
    const server = createServer(options.http ?? {}, (req, res) => {
      const route = this.routes.size ? this.routes.get(`${req.method} ${pathOf(req.url)}`) : undefined;
      if (route) this.answer(route, req, res);
      else fastifyHandler(req, res);
    });
    if (options.keepAliveTimeout !== undefined) server.keepAliveTimeout = options.keepAliveTimeout;
    if (options.requestTimeout !== undefined) server.requestTimeout = options.requestTimeout;
    if (options.connectionTimeout !== undefined) server.setTimeout(options.connectionTimeout);
    if (options.maxRequestsPerSocket) server.maxRequestsPerSocket = options.maxRequestsPerSocket;
    return server;
  };

  private answer({ handler, body: expected, onResponse }: Route, req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    const id = requestIdOf(req as IncomingMessage & { id?: unknown });
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'x-request-id': id });
      res.end(text);
      onResponse?.(req, res, performance.now() - started);
    };
    readJson(req, this.bodyLimit, expected)
      .then((body) => handler({ id, raw: req, body }))
      .then(
        (ok) => send(ok.status, ok.body),
        (error: unknown) => {
          if (req.destroyed && !req.complete) return void res.destroy(); // the client went away mid-body
          const { status, body } = errorAnswer(error, id, this.logger);
          if (body.code === 'PAYLOAD_TOO_LARGE') void drain(req).then(() => send(status, body));
          else send(status, body);
        },
      )
      .catch((error: unknown) => {
        // The answer could not be written (the client has gone): nothing left to tell anyone.
        this.logger.error(`Answering ${req.method} ${req.url} failed: ${(error as Error).message}`);
        res.destroy();
      });
  }
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/**
 * The body as JSON, as Fastify's JSON parser reads it: `application/json` only, at most `limit`
 * bytes, `__proto__` and `constructor.prototype` members refused (secure-json-parse, as Fastify).
 */
function readJson(req: IncomingMessage, limit: number, expected: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (!isJson(req.headers['content-type'])) {
      reject(new DomainError('INVALID_REQUEST', `Send the body as JSON (Content-Type: application/json): ${expected}`, 'content-type'));
      return;
    }
    const tooLarge = () => new DomainError('PAYLOAD_TOO_LARGE', `Request body too large: at most ${limit} bytes`);
    if (Number(req.headers['content-length'] ?? 0) > limit) return reject(tooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      req.removeListener('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stop();
        reject(tooLarge());
      } else chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      const text = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks, size).toString('utf8');
      try {
        if (text.length === 0) throw new DomainError('MALFORMED_JSON', `The request body is empty: send ${expected}`);
        resolve(sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
      } catch (error) {
        reject(error instanceof DomainError ? error : new DomainError('MALFORMED_JSON', 'The request body is not valid JSON'));
      }
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/** Whether a Content-Type names JSON (`application/json`, any parameters, any case). */
export function isJson(contentType: string | undefined): boolean {
  return contentType?.split(';')[0].trim().toLowerCase() === 'application/json';
}
