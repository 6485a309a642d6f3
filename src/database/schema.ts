// Bringing the schema up to date (docs/operations.md#migrations): the migrations and the service
// role's grants, run as the owner role by `node dist/migrate.js` (compose's one-shot `migrate`
// service) or at start by a process that holds DATABASE_OWNER_URL; and the check every other
// process makes at start, which refuses a schema behind its code rather than run against it.
import { DataSource } from 'typeorm';
import { openDataSource, runMigrations } from './data-source';
import { setInstanceKeyFile } from './instance-key-file';
import { migrations } from './migrations';
import { grantServiceRole, roleOf } from './roles';

/** The migrations of this version not yet applied to the database, in order. */
export async function pendingMigrations(ds: DataSource): Promise<string[]> {
  const [{ present }] = (await ds.query(`SELECT to_regclass('migrations') IS NOT NULL AS present`)) as Array<{ present: boolean }>;
  const applied = new Set(present ? ((await ds.query(`SELECT name FROM migrations`)) as Array<{ name: string }>).map((r) => r.name) : []);
  return migrations.map((M) => new M().name as string).filter((name) => !applied.has(name));
}

/** Whether the connected role may create tables (it can migrate: the owner, or a one-role deployment). */
export async function canMigrate(ds: DataSource): Promise<boolean> {
  const [row] = (await ds.query(`SELECT has_schema_privilege(current_user, 'public', 'CREATE') AS can`)) as Array<{ can: boolean }>;
  return row.can;
}

/** Refusal to start on a schema behind this version: says what to run. */
export function schemaBehind(pending: string[], why: string): Error {
  return new Error(
    `The database schema is behind this version of Archipel (${pending.length} migration(s) pending: ${pending.join(', ')}), and ${why}. ` +
      'Run the migrations first, as the owner role: `node dist/migrate.js` with DATABASE_OWNER_URL and DATABASE_URL set ' +
      '(docker compose: the one-shot `migrate` service, which `docker compose up` runs before the api and the workers), then start again ' +
      '(docs/operations.md#migrations).',
  );
}

/**
 * Before the application starts (dist/main.js, dist/worker.js, not the embedded default): refuse,
 * with one paragraph saying what to run, a schema behind this version that this process will not
 * or cannot migrate (no owner URL: only a role that may create tables migrates itself).
 */
export async function refuseSchemaBehind(url: string, willMigrate: boolean): Promise<void> {
  const ds = await openDataSource({ url, poolSize: 1 });
  try {
    const pending = await pendingMigrations(ds);
    if (!pending.length) return;
    if (!willMigrate) throw schemaBehind(pending, 'this process does not migrate (RUN_MIGRATIONS=false)');
    if (!(await canMigrate(ds))) throw schemaBehind(pending, 'this process holds no DATABASE_OWNER_URL, and its role (DATABASE_URL) cannot create tables');
  } finally {
    await ds.destroy();
  }
}

export interface MigrateOptions {
  /** The owner role; null: DATABASE_URL's role does everything (one role, no grants). */
  ownerUrl: string | null;
  /** DATABASE_URL: the service role, granted its rights when an owner URL is given. */
  serviceUrl: string;
  /** Where the Defence migration moves a private key it finds in the database. */
  instanceKeyFile: string;
  embedded?: boolean;
}

/** Apply the pending migrations and (owner URL given) grant the service role its rights; returns the migrations applied. */
export async function migrateAndGrant(options: MigrateOptions): Promise<string[]> {
  setInstanceKeyFile(options.instanceKeyFile);
  const ds = await openDataSource({ url: options.ownerUrl ?? options.serviceUrl, poolSize: 1, embedded: options.embedded });
  try {
    const ran = await runMigrations(ds);
    if (options.ownerUrl) await grantServiceRole(ds, roleOf(options.serviceUrl));
    return ran;
  } finally {
    await ds.destroy();
  }
}
