// A fresh database per test file, cloned from the migrated template (fast, isolated).
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { OWNER_ROLE, SERVICE_ROLE, TEMPLATE_DB, adminUrl, asRole, embeddedTestDatabase, withDatabase } from './database-urls';

export interface TestDatabase {
  /** As the superuser: for tests that act behind the service's back. */
  url: string;
  /** As the owner role (migrations, grants). */
  ownerUrl: string;
  /** As the service role, which owns nothing (what the service runs as). */
  serviceUrl: string;
  name: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (embeddedTestDatabase()) {
    // PGlite is one database and one session: files run in band and share it.
    return { url: adminUrl(), ownerUrl: adminUrl(), serviceUrl: adminUrl(), name: 'postgres', drop: async () => undefined };
  }
  const name = `archipel_t_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB} OWNER ${OWNER_ROLE}`);
  } finally {
    await admin.end();
  }
  return testDatabase(name);
}

/** An empty database owned by the owner role (no migrations): a restore's target. */
export async function createEmptyDatabase(): Promise<TestDatabase> {
  const name = `archipel_r_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE template0 OWNER ${OWNER_ROLE}`);
  } finally {
    await admin.end();
  }
  return testDatabase(name);
}

/** The URLs of database `name` as each role, and how to drop it. */
function testDatabase(name: string): TestDatabase {
  return {
    url: withDatabase(name),
    ownerUrl: asRole(withDatabase(name), OWNER_ROLE),
    serviceUrl: asRole(withDatabase(name), SERVICE_ROLE),
    name,
    async drop() {
      const c = new Client({ connectionString: adminUrl() });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** One query on its own connection to `url`, its rows. */
export async function sql<T = Record<string, unknown>>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** As the superuser, with the append-only triggers skipped: what an intruder with full access does. */
export async function behindTheBack(db: TestDatabase, text: string, params: unknown[] = []): Promise<void> {
  const client = new Client({ connectionString: db.url });
  await client.connect();
  try {
    await client.query('SET session_replication_role = replica');
    await client.query(text, params);
  } finally {
    await client.end();
  }
}
