import { createHash } from 'node:crypto';

/**
 * The migrated template each test file clones: one per checkout (several checkouts of the project
 * may run their tests at once against the same server), or ARCHIPEL_TEST_TEMPLATE_DB.
 */
export const TEMPLATE_DB =
  process.env.ARCHIPEL_TEST_TEMPLATE_DB ??
  `archipel_test_template_${createHash('sha256').update(process.cwd()).digest('hex').slice(0, 8)}`;

/** The server the tests use; its `test` database is only used to create the others. */
export function adminUrl(): string {
  return process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
}

export function withDatabase(name: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * The two roles of docs/operations.md#database-roles, on the shared server: created once,
 * idempotently (test/support/global-setup.ts), the same for every checkout. The owner owns the
 * template and its clones; the service role owns nothing.
 */
export const OWNER_ROLE = 'archipel_test_owner';
export const SERVICE_ROLE = 'archipel_test_service';

/** A database's URL as another role (trust authentication on the test server). */
export function asRole(url: string, role: string): string {
  const u = new URL(url);
  u.username = role;
  u.password = '';
  return u.toString();
}

export function testRedisUrl(): string {
  return process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';
}

export function embeddedTestDatabase(): boolean {
  return process.env.ARCHIPEL_TEST_EMBEDDED_DB === '1';
}

/**
 * `describe` for tests that need a PostgreSQL server several processes connect to (worker or API
 * processes beside the test), or databases of their own (instances of a federation, each with its
 * own database and instance key; the fuzz campaign, whose logs must hold exactly its statements):
 * on the embedded database, one session and one database for every file, they are reported skipped.
 */
export function describeWithServer(name: string, body: () => void): void {
  // Read at call time: global setup imports this module where `describe` does not exist.
  (embeddedTestDatabase() ? describe.skip : describe)(name, body);
}
