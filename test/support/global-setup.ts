// Once per Jest run: a migrated template database that each test file clones (test/support/database.ts).
import { Client } from 'pg';
import { openDataSource, runMigrations } from '../../src/database/data-source';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { spawnRedis } from '../../src/queue/embedded-redis';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OWNER_ROLE, SERVICE_ROLE, TEMPLATE_DB, adminUrl, asRole, withDatabase } from './database-urls';
import { grantServiceRole } from '../../src/database/roles';

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
    // One database for every file, so one instance key for every file too: the database pins the
    // first key it publishes, and refuses to start with another (test/support/app.ts).
    process.env.ARCHIPEL_TEST_DATA_DIR = mkdtempSync(join(tmpdir(), 'archipel-test-data-'));
    teardown.push(() => pg.stop());
    const ds = await openDataSource({ url: pg.url, poolSize: 1, embedded: true });
    await runMigrations(ds);
    await ds.destroy();
    return;
  }
  const admin = new Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    for (const role of [OWNER_ROLE, SERVICE_ROLE]) await createRole(admin, role);
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${TEMPLATE_DB} OWNER ${OWNER_ROLE}`);
  } finally {
    await admin.end();
  }
  // Migrated and granted as the owner, as a deployment does; clones keep owner and grants.
  const ds = await openDataSource({ url: asRole(withDatabase(TEMPLATE_DB), OWNER_ROLE), poolSize: 1 });
  try {
    await runMigrations(ds);
    await grantServiceRole(ds, SERVICE_ROLE);
  } finally {
    await ds.destroy();
  }
}

/** CREATE ROLE once on the shared server; another checkout's run may be creating it at the same time. */
async function createRole(admin: Client, role: string): Promise<void> {
  const [row] = (await admin.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [role])).rows;
  if (row) return;
  try {
    await admin.query(`CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE`);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code !== '42710' && code !== '23505') throw e; // duplicate_object, unique_violation: created meanwhile
  }
}
