import { MigrationInterface, QueryRunner } from 'typeorm';
// SPEC §12.1: this instance as a witness of other logs (its cosigning key, the last checkpoint it
// cosigned per origin, evidence of forks it was shown), and as a log collecting cosignatures from
// its configured witnesses (each witness's cosignature per checkpoint, and how far each witness got).
export class Witnessing1764610000000 implements MigrationInterface {
  name = 'Witnessing1764610000000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE witness_key (
        id smallint PRIMARY KEY CHECK (id = 1),
        name text NOT NULL,
        seed bytea NOT NULL CHECK (length(seed) = 32),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE witness_state (
        origin text PRIMARY KEY,
        size bigint NOT NULL CHECK (size >= 0),
        root bytea NOT NULL CHECK (length(root) = 32),
        note text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE witness_evidence (
        id bigserial PRIMARY KEY,
        origin text NOT NULL,
        kind text NOT NULL,
        known_size bigint NOT NULL,
        known_root bytea NOT NULL,
        size bigint NOT NULL,
        root bytea NOT NULL,
        request text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX witness_evidence_origin ON witness_evidence (origin, id)`);
    await q.query(`
      CREATE TABLE checkpoint_cosignature (
        circle text NOT NULL,
        size bigint NOT NULL,
        witness text NOT NULL,
        line text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (circle, size, witness)
      )`);
    await q.query(`
      CREATE TABLE witness_progress (
        witness text NOT NULL,
        circle text NOT NULL,
        size bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (witness, circle)
      )`);
    // Evidence is append-only, like the logs.
    await q.query(`
      CREATE FUNCTION witness_evidence_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'witness_evidence is append-only'; END $$`);
    await q.query(`CREATE TRIGGER witness_evidence_append_only BEFORE UPDATE OR DELETE ON witness_evidence FOR EACH ROW EXECUTE FUNCTION witness_evidence_append_only()`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS witness_evidence_append_only ON witness_evidence`);
    await q.query(`DROP FUNCTION IF EXISTS witness_evidence_append_only()`);
    for (const table of ['witness_progress', 'checkpoint_cosignature', 'witness_evidence', 'witness_state', 'witness_key']) await q.query(`DROP TABLE IF EXISTS ${table}`);
  }
}
