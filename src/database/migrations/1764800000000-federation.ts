import { NEWEST_CHECKPOINT_COLUMNS, dropEvidenceAppendOnly, dropTables, evidenceAppendOnly, migration } from '../migration-steps';
// SPEC §12.2: circles across instances. A circle whose parent is on another instance names it by
// qualified id (`remote_parent`, `parent` staying NULL); a circle of another instance recorded here
// as a child (`remote_child`, from its `child.created` entry); the peers this instance has met,
// with the key pinned at first contact, the newest checkpoint seen of each of their logs, and the
// evidence of an equivocation, which holds a peer's receipts until an operator decides.
export const Federation1764800000000 = migration('Federation1764800000000', {
  up: [
    `ALTER TABLE circle ADD COLUMN remote_parent text`,
    `ALTER TABLE circle ADD CONSTRAINT circle_one_parent CHECK (parent IS NULL OR remote_parent IS NULL)`,
    // A receipt's child may be a circle of another instance (its qualified id).
    `ALTER TABLE receipt DROP CONSTRAINT IF EXISTS receipt_child_fkey`,
    `
      CREATE TABLE remote_child (
        parent text NOT NULL REFERENCES circle(id),
        child text NOT NULL,
        seq bigint NOT NULL,
        PRIMARY KEY (parent, child)
      )`,
    `CREATE UNIQUE INDEX remote_child_child ON remote_child (child)`,
    `
      CREATE TABLE federation_peer (
        name text PRIMARY KEY,
        url text NOT NULL,
        kid text NOT NULL,
        jwk jsonb NOT NULL,
        note_key text NOT NULL,
        pinned_at timestamptz NOT NULL DEFAULT now(),
        flagged_at timestamptz,
        flag_reason text
      )`,
    `
      CREATE TABLE peer_checkpoint (
        origin text PRIMARY KEY,
        peer text NOT NULL REFERENCES federation_peer(name),
        ${NEWEST_CHECKPOINT_COLUMNS}
      )`,
    `
      CREATE TABLE peer_evidence (
        id bigserial PRIMARY KEY,
        peer text NOT NULL,
        origin text NOT NULL,
        known_note text NOT NULL,
        note text NOT NULL,
        reason text NOT NULL,
        request jsonb,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`,
    ...evidenceAppendOnly('peer_evidence'),
  ],
  down: [
    ...dropEvidenceAppendOnly('peer_evidence'),
    ...dropTables(['peer_evidence', 'peer_checkpoint', 'federation_peer', 'remote_child']),
    `DELETE FROM receipt WHERE child LIKE '%/%'`,
    `ALTER TABLE receipt ADD CONSTRAINT receipt_child_fkey FOREIGN KEY (child) REFERENCES circle(id)`,
    `ALTER TABLE circle DROP CONSTRAINT IF EXISTS circle_one_parent`,
    `ALTER TABLE circle DROP COLUMN IF EXISTS remote_parent`,
  ],
});
