// A route registered on Fastify directly rather than through a Nest controller (the witness's
// add-checkpoint; POST /statements is answered in front of Fastify, raw-routes.ts), for what a
// controller cannot do: its own body parsing, its own request log line. Registered in the API
// process only (the worker, an application context, has no HTTP adapter); it refuses as every
// other route does (sendError: the JSON error body, the status of its code).
import { Logger, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from './http-exception.filter';

export abstract class FastifyRoute implements OnModuleInit {
  private readonly logger = new Logger('HTTP');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (adapter) this.register(adapter.getInstance<FastifyInstance>());
  }

  /** Adds the route to the server. */
  protected abstract register(fastify: FastifyInstance): void;

  /** The route's errorHandler. */
  protected readonly onError = (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => sendError(error, request, reply, this.logger);
}
