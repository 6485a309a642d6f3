// The answer of GET /health (the @nestjs/terminus result), as a named OpenAPI component.
import { z } from 'zod';
import { named } from '../../common/openapi';

const indicators = z.record(z.string(), z.object({ status: z.string() }).catchall(z.unknown()));

export const healthAnswer = named(
  'Health',
  z.object({ status: z.enum(['ok', 'error', 'shutting_down']), info: indicators.optional(), error: indicators.optional(), details: indicators }),
  'Each check (database, redis, queues, logs) with its status and details; logs.frozen lists the logs the self-audit froze',
);
