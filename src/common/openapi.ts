// Typed HTTP answers: every route's answer is a zod schema registered here under a name, so the
// OpenAPI document (/docs/openapi.json) carries it as a component a client can be generated from,
// and the controller's return type is the schema's type. Refusals are the §10 error body, listed
// per route with the stable codes it can answer.
import { applyDecorators, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiProduces, ApiResponse } from '@nestjs/swagger';
import { z } from 'zod';
import { ERROR_STATUS, ErrorCode } from './error-status';

/** Every named schema of the API (answers, events, statement bodies). */
export const apiSchemas = z.registry<{ id: string; description?: string }>();

/** Register `schema` under `id` (a component name) and return it. */
export function named<S extends z.ZodType>(id: string, schema: S, description?: string): S {
  apiSchemas.add(schema, { id, ...(description ? { description } : {}) });
  return schema;
}

const ref = (schema: z.ZodType) => {
  const id = apiSchemas.get(schema)?.id;
  if (!id) throw new Error('An answer schema must be registered with named()');
  return { $ref: `#/components/schemas/${id}` };
};

export const errorBodySchema = named(
  'ErrorBody',
  z.object({
    code: z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]).describe('A stable UPPER_SNAKE_CASE code (docs/api.md lists them)'),
    message: z.string().describe('What went wrong and what to do next'),
    field: z.string().optional().describe('The offending field, as a dotted path'),
    requestId: z.string().optional(),
    details: z.unknown().optional(),
  }),
  'Every refusal (SPEC §10)',
);

/** A JSON read route: `GET path`, its summary, its answer schema and the refusals it can answer. */
export function ApiRead(path: string, summary: string, answer: z.ZodType, ...errors: ErrorCode[]) {
  return applyDecorators(Get(path), ApiOperation({ summary }), ApiAnswer(answer), ApiErrors(...errors));
}

/**
 * A JSON command route answering 200 (idempotent: a retry answers as the first call did): `POST
 * path`, its summary, its request body and answer schemas (both named()), the refusals it can answer.
 */
export function ApiPost(path: string, summary: string, body: z.ZodType, answer: z.ZodType, ...errors: ErrorCode[]) {
  return applyDecorators(Post(path), HttpCode(200), ApiOperation({ summary }), ApiBody({ schema: ref(body) }), ApiAnswer(answer), ApiErrors(...errors));
}

/** The 200 (or `status`) JSON answer of a route. */
export function ApiAnswer(schema: z.ZodType, status = 200, description = '') {
  return ApiResponse({ status, description, content: { 'application/json': { schema: ref(schema) } } });
}

/** A non-JSON answer (JSON Lines, a signed note, an event stream) with its media type. */
export function ApiTextAnswer(mediaType: string, description: string) {
  return applyDecorators(
    ApiProduces(mediaType),
    ApiResponse({ status: 200, description, content: { [mediaType]: { schema: { type: 'string' } } } }),
  );
}

/** The refusals a route can answer, grouped by HTTP status; INTERNAL (500) is always possible. */
export function ApiErrors(...codes: ErrorCode[]) {
  return applyDecorators(...errorResponses(codes).map((r) => ApiResponse(r)));
}

export function errorResponses(codes: ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of [...codes, 'INTERNAL' as const]) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return [...byStatus].map(([status, list]) => ({
    status,
    description: `${status >= 500 ? 'Failed' : 'Refused'}: ${list.join(', ')}`,
    content: { 'application/json': { schema: ref(errorBodySchema) } },
  }));
}

/** The registered schemas as OpenAPI 3.0 components (zod → JSON Schema, references between them kept). */
export function apiComponents(): Record<string, unknown> {
  const { schemas } = z.toJSONSchema(apiSchemas, {
    target: 'openapi-3.0',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, Record<string, unknown>> };
  for (const schema of Object.values(schemas)) delete schema.$id;
  return schemas;
}
