// Start the real service in-process for a test file: its own database (cloned from the migrated
// template), its own queue prefix on the real Redis, listening on a free port.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiModule } from '../../src/app.module';
import { createHttpApp } from '../../src/http-app';
import { LocalModule } from '../../src/local.module';
import { createTestDatabase, TestDatabase } from './database';
import { embeddedTestDatabase, testRedisUrl } from './database-urls';

export interface TestApp {
  app: NestFastifyApplication;
  url: string;
  db: TestDatabase;
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startTestApp(opts: { worker?: boolean; env?: Record<string, string>; db?: TestDatabase } = {}): Promise<TestApp> {
  const db = opts.db ?? (await createTestDatabase());
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    // The service runs as the role that owns nothing; migrations and grants as the owner.
    DATABASE_URL: db.serviceUrl,
    ...(embeddedTestDatabase() ? {} : { DATABASE_OWNER_URL: db.ownerUrl }),
    // Its own instance key file and published checkpoints; on the embedded PGlite, which every file
    // shares, the one data directory of the run (global-setup.ts), as its database pins one key.
    DATA_DIR: (embeddedTestDatabase() && process.env.ARCHIPEL_TEST_DATA_DIR) || mkdtempSync(join(tmpdir(), 'archipel-test-data-')),
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: `t${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: 'warn',
    INSTANCE_NAME: 'test.archipel.example',
    MIN_PROPOSAL_WINDOW_SECONDS: '1',
    CHECKPOINT_INTERVAL_SECONDS: '1',
    DATABASE_POOL_SIZE: '4',
    ...(embeddedTestDatabase() ? { ARCHIPEL_EMBEDDED_DATABASE: '1' } : {}),
    ...opts.env,
  };
  Object.assign(process.env, env);
  const app = await createHttpApp(opts.worker ? LocalModule : ApiModule, { bufferLogs: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    app,
    url,
    db,
    env,
    async close() {
      await app.close();
      await db.drop();
    },
  };
}

/** Poll until `check` returns a value (not a sleep: returns as soon as the condition holds). */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}
