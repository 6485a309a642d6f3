import { Module, RequestMethod } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { parseConfig } from '../config/config.schema';

/** The request id: the caller's `x-request-id` when sane, else a fresh UUID (docs/operations.md). */
export function requestIdOf(req: IncomingMessage & { id?: unknown }): string {
  if (typeof req.id === 'string') return req.id;
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
  req.id = id;
  return id;
}

/** Structured JSON logs (pino), one line per request with its request id. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      useFactory: () => {
        const config = parseConfig(process.env);
        return {
          // statements.route.ts logs its own line (the hot route skips the middleware).
          exclude: [{ method: RequestMethod.POST, path: 'api/v1/statements' }],
          pinoHttp: {
            level: config.LOG_LEVEL,
            genReqId: (req) => requestIdOf(req as IncomingMessage & { id?: unknown }),
            customProps: () => ({ service: 'archipel' }),
            serializers: {
              req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
          },
        };
      },
    }),
  ],
})
export class LoggingModule {}
