import { MigrationInterface, QueryRunner } from 'typeorm';
// SPEC §12.2: circles across instances. A circle whose parent is on another instance names it by
// qualified id (`remote_parent`, `parent` staying NULL); a circle of another instance recorded here
// as a child (`remote_child`, from its `child.created` entry); the peers this instance has met,
// with the key pinned at first contact, the newest checkpoint seen of each of their logs, and the
// evidence of an equivocation, which holds a peer's receipts until an operator decides.
export class Federation1764800000000 implements MigrationInterface {
  name = 'Federation1764800000000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE circle ADD COLUMN remote_parent text`);
    await q.query(`ALTER TABLE circle ADD CONSTRAINT circle_one_parent CHECK (parent IS NULL OR remote_parent IS NULL)`);
    // A receipt's child may be a circle of another instance (its qualified id).
    await q.query(`ALTER TABLE receipt DROP CONSTRAINT IF EXISTS receipt_child_fkey`);
    await q.query(`
      CREATE TABLE remote_child (
        parent text NOT NULL REFERENCES circle(id),
        child text NOT NULL,
        seq bigint NOT NULL,
        PRIMARY KEY (parent, child)
      )`);
    await q.query(`CREATE UNIQUE INDEX remote_child_child ON remote_child (child)`);
    await q.query(`
      CREATE TABLE federation_peer (
        name text PRIMARY KEY,
        url text NOT NULL,
        kid text NOT NULL,
        jwk jsonb NOT NULL,
        note_key text NOT NULL,
        pinned_at timestamptz NOT NULL DEFAULT now(),
        flagged_at timestamptz,
        flag_reason text
      )`);
    await q.query(`
      CREATE TABLE peer_checkpoint (
        origin text PRIMARY KEY,
        peer text NOT NULL REFERENCES federation_peer(name),
        size bigint NOT NULL CHECK (size >= 0),
        root bytea NOT NULL CHECK (length(root) = 32),
        note text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE peer_evidence (
        id bigserial PRIMARY KEY,
        peer text NOT NULL,
        origin text NOT NULL,
        known_note text NOT NULL,
        note text NOT NULL,
        reason text NOT NULL,
        request jsonb,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE FUNCTION peer_evidence_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'peer_evidence is append-only'; END $$`);
    await q.query(`CREATE TRIGGER peer_evidence_append_only BEFORE UPDATE OR DELETE ON peer_evidence FOR EACH ROW EXECUTE FUNCTION peer_evidence_append_only()`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS peer_evidence_append_only ON peer_evidence`);
    await q.query(`DROP FUNCTION IF EXISTS peer_evidence_append_only()`);
    for (const table of ['peer_evidence', 'peer_checkpoint', 'federation_peer', 'remote_child']) await q.query(`DROP TABLE IF EXISTS ${table}`);
    await q.query(`DELETE FROM receipt WHERE child LIKE '%/%'`);
    await q.query(`ALTER TABLE receipt ADD CONSTRAINT receipt_child_fkey FOREIGN KEY (child) REFERENCES circle(id)`);
    await q.query(`ALTER TABLE circle DROP CONSTRAINT IF EXISTS circle_one_parent`);
    await q.query(`ALTER TABLE circle DROP COLUMN IF EXISTS remote_parent`);
  }
}
