import { NEWEST_CHECKPOINT_COLUMNS, dropEvidenceAppendOnly, dropTables, evidenceAppendOnly, migration } from '../migration-steps';
// SPEC §12.1: this instance as a witness of other logs (its cosigning key, the last checkpoint it
// cosigned per origin, evidence of forks it was shown), and as a log collecting cosignatures from
// its configured witnesses (each witness's cosignature per checkpoint, and how far each witness got).
export const Witnessing1764610000000 = migration('Witnessing1764610000000', {
  up: [
    `
      CREATE TABLE witness_key (
        id smallint PRIMARY KEY CHECK (id = 1),
        name text NOT NULL,
        seed bytea NOT NULL CHECK (length(seed) = 32),
        created_at timestamptz NOT NULL DEFAULT now()
      )`,
    `
      CREATE TABLE witness_state (
        origin text PRIMARY KEY,
        ${NEWEST_CHECKPOINT_COLUMNS}
      )`,
    `
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
      )`,
    `CREATE INDEX witness_evidence_origin ON witness_evidence (origin, id)`,
    `
      CREATE TABLE checkpoint_cosignature (
        circle text NOT NULL,
        size bigint NOT NULL,
        witness text NOT NULL,
        line text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (circle, size, witness)
      )`,
    `
      CREATE TABLE witness_progress (
        witness text NOT NULL,
        circle text NOT NULL,
        size bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (witness, circle)
      )`,
    // Evidence is append-only, like the logs.
    ...evidenceAppendOnly('witness_evidence'),
  ],
  down: [
    ...dropEvidenceAppendOnly('witness_evidence'),
    ...dropTables(['witness_progress', 'checkpoint_cosignature', 'witness_evidence', 'witness_state', 'witness_key']),
  ],
});
