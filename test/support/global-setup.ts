// Once per Jest run: a migrated template database that each test file clones (test/support/database.ts).
import { Client } from 'pg';
import { openDataSource, runMigrations } from '../../src/database/data-source';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { spawnRedis } from '../../src/queue/embedded-redis';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEMPLATE_DB, adminUrl, withDatabase } from './database-urls';

declare global {
  var __archipelTeardown: Array<() => Promise<void>> | undefined;
}

export default async function globalSetup(): Promise<void> {
  const teardown: Array<() => Promise<void>> = [];
  globalThis.__archipelTeardown = teardown;
  if (process.env.ARCHIPEL_TEST_EMBEDDED_REDIS === '1' && !process.env.TEST_REDIS_URL) {
    const redis = await spawnRedis(mkdtempSync(join(tmpdir(), 'archipel-test-redis-')), 6390 + Math.floor(Math.random() * 400));
    process.env.TEST_REDIS_URL = redis.url;
    teardown.push(() => redis.stop());
  }
  if (process.env.ARCHIPEL_TEST_EMBEDDED_DB === '1') {
    const pg = await startEmbeddedPostgres(mkdtempSync(join(tmpdir(), 'archipel-test-pg-')));
    process.env.TEST_DATABASE_URL = pg.url;
    teardown.push(() => pg.stop());
    const ds = await openDataSource({ url: pg.url, poolSize: 1, embedded: true });
    await runMigrations(ds);
    await ds.destroy();
    return;
  }
  const admin = new Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  } finally {
    await admin.end();
  }
  const ds = await openDataSource({ url: withDatabase(TEMPLATE_DB), poolSize: 1 });
  try {
    await runMigrations(ds);
  } finally {
    await ds.destroy();
  }
}
