// What the migrations in ./migrations are made of: each is a list of steps run in order (up), and
// a list that undoes them (down), with the DDL that several of them repeat written once here.
// Applied migrations must keep their meaning: a change to a helper below changes the SQL of every
// migration that uses it, so a helper, once used, is never edited; a new need gets a new helper.
import { MigrationInterface, QueryRunner } from 'typeorm';

/** One statement, or code that decides which statements to run (the Defence migration). */
export type MigrationStep = string | ((q: QueryRunner) => Promise<void>);

/**
 * A TypeORM migration class named `name`: the name kept in the `migrations` table, and the class's
 * own name too, as when each migration was a class written out.
 */
export function migration(name: string, steps: { up: MigrationStep[]; down: MigrationStep[] }): new () => MigrationInterface {
  const named = class implements MigrationInterface {
    name = name;
    up(q: QueryRunner): Promise<void> {
      return run(q, steps.up);
    }
    down(q: QueryRunner): Promise<void> {
      return run(q, steps.down);
    }
  };
  Object.defineProperty(named, 'name', { value: name });
  return named;
}

async function run(q: QueryRunner, steps: MigrationStep[]): Promise<void> {
  for (const step of steps) {
    if (typeof step === 'string') await q.query(step);
    else await step(q);
  }
}

/** SPEC §3.5, §3.6: the row trigger that refuses UPDATE and DELETE (archipel_refuse_change, Ledger1763800000000). */
export function refuseRowChanges(table: string): string {
  return `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
                   FOR EACH ROW EXECUTE FUNCTION archipel_refuse_change()`;
}

/** The statement trigger that refuses TRUNCATE. */
export function refuseTruncate(table: string): string {
  return `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
                   FOR EACH STATEMENT EXECUTE FUNCTION archipel_refuse_change()`;
}

/** An append-only table: no UPDATE, DELETE or TRUNCATE, whoever asks (the owner included). */
export function appendOnly(table: string): string[] {
  return [refuseRowChanges(table), refuseTruncate(table)];
}

/**
 * The evidence tables of witnessing and federation refuse UPDATE and DELETE with a function of
 * their own, `<table>_append_only()`, and its own message.
 */
export function evidenceAppendOnly(table: string): string[] {
  return [
    `
      CREATE FUNCTION ${table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION '${table} is append-only'; END $$`,
    `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${table}_append_only()`,
  ];
}

/** Undoes evidenceAppendOnly(table). */
export function dropEvidenceAppendOnly(table: string): string[] {
  return [`DROP TRIGGER IF EXISTS ${table}_append_only ON ${table}`, `DROP FUNCTION IF EXISTS ${table}_append_only()`];
}

/**
 * A BEFORE INSERT row trigger `trigger` on `table` running the plpgsql function `fn`, whose body
 * is `lines` (one statement a line, indented as written) followed by RETURN NEW.
 */
export function beforeInsert(table: string, trigger: string, fn: string, lines: string[]): string[] {
  const body = ['BEGIN', ...lines.map((line) => `  ${line}`), '  RETURN NEW;', 'END '].map((line) => `      ${line}`);
  return [
    `
      CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
${body.join('\n')}$$`,
    `CREATE TRIGGER ${trigger} BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION ${fn}()`,
  ];
}

/**
 * The columns of a table keeping the newest checkpoint seen of a log (`origin`): its size, root
 * hash and signed note, and when it last moved (witness_state, peer_checkpoint).
 */
export const NEWEST_CHECKPOINT_COLUMNS = `size bigint NOT NULL CHECK (size >= 0),
        root bytea NOT NULL CHECK (length(root) = 32),
        note text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()`;

/** DROP TABLE IF EXISTS for each table, in the order given. */
export function dropTables(tables: string[], cascade = false): string[] {
  return tables.map((table) => `DROP TABLE IF EXISTS ${table}${cascade ? ' CASCADE' : ''}`);
}
