// A fresh database per test file, cloned from the migrated template (fast, isolated).
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { TEMPLATE_DB, adminUrl, embeddedTestDatabase, withDatabase } from './database-urls';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (embeddedTestDatabase()) {
    // PGlite is one database and one session: files run in band and share it.
    return { url: adminUrl(), name: 'postgres', drop: async () => undefined };
  }
  const name = `archipel_t_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB}`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(name),
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
