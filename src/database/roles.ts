// Two database roles (docs/operations.md#database-roles): the owner runs the migrations and owns
// every table; the service role (DATABASE_URL's user) owns nothing and holds only what the API and
// the workers need. Being no owner, it can neither ALTER a table nor disable or drop a trigger, and
// it holds no UPDATE, DELETE, TRUNCATE or TRIGGER right on the append-only tables. Idempotent: run
// after every migration run, in one transaction, so the rights always match this file.
import { DataSource } from 'typeorm';

/** Append-only tables: the service reads and inserts, nothing more. */
export const APPEND_ONLY_TABLES = ['log_entry', 'merkle_node', 'checkpoint', 'instance_key', 'log_freeze', 'witness_evidence', 'peer_evidence', 'proposal_population'] as const;

/** Tables the service updates in place but never deletes from. */
const UPDATED_NOT_DELETED = ['log_head', 'log_audit'] as const;

/** Read only for the service. */
const READ_ONLY = ['migrations'] as const;

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The role named in a PostgreSQL URL (the service role is DATABASE_URL's user). */
export function roleOf(url: string): string {
  const user = decodeURIComponent(new URL(url).username);
  if (!user) throw new Error('DATABASE_URL names no user: with DATABASE_OWNER_URL set, it must name the service role');
  return user;
}

/**
 * Grant the service role exactly its rights, on the tables there are now and (default privileges)
 * on those the owner creates later: projections and queues read and written, the log tables read
 * and appended to. Runs as the owner.
 */
export async function grantServiceRole(owner: DataSource, serviceRole: string): Promise<void> {
  const [me] = (await owner.query(`SELECT current_user AS name`)) as Array<{ name: string }>;
  if (me.name === serviceRole) {
    throw new Error(`DATABASE_URL and DATABASE_OWNER_URL name the same role (${serviceRole}): the service must run as a role that owns nothing`);
  }
  const role = ident(serviceRole);
  const runner = owner.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    const q = (sql: string) => runner.query(sql);
    // Processes starting together (API processes, workers) grant one after the other.
    await q(`SELECT pg_advisory_xact_lock(hashtext('archipel.grant_service_role'))`);
    await q(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${role}`);
    await q(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${role}`);
    await q(`REVOKE CREATE ON SCHEMA public FROM ${role}`);
    await q(`GRANT USAGE ON SCHEMA public TO ${role}`);
    await q(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`);
    await q(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role}`);
    await q(`REVOKE UPDATE, DELETE ON ${[...APPEND_ONLY_TABLES, ...READ_ONLY].join(', ')} FROM ${role}`);
    await q(`REVOKE INSERT ON ${READ_ONLY.join(', ')} FROM ${role}`);
    await q(`REVOKE DELETE ON ${UPDATED_NOT_DELETED.join(', ')} FROM ${role}`);
    await q(`REVOKE ALL ON FUNCTION archipel_unfreeze(text) FROM PUBLIC, ${role}`);
    // Tables the owner creates later start with the projections' rights; a new append-only table
    // is listed above, and this runs after every migration.
    await q(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${role}`);
    await q(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${role}`);
    await q(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC`);
    await runner.commitTransaction();
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    throw error;
  } finally {
    await runner.release();
  }
}
