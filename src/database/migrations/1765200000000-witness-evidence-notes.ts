import { migration } from '../migration-steps';

// SPEC §12.1: a witness keeps evidence only of a proven fork, with both checkpoints as the log
// signed them (the one it cosigned before, `known_note`, and the one shown, `note`), and keeps one
// row per fork however often it is shown: an unauthenticated caller cannot grow the table at will.
// Rows kept before (note NULL) stay as they were, append-only.
export const WitnessEvidenceNotes1765200000000 = migration('WitnessEvidenceNotes1765200000000', {
  up: [
    `ALTER TABLE witness_evidence ADD COLUMN known_note text, ADD COLUMN note text`,
    `CREATE UNIQUE INDEX witness_evidence_once ON witness_evidence (origin, kind, known_size, known_root, size, root) WHERE note IS NOT NULL`,
  ],
  down: [`DROP INDEX IF EXISTS witness_evidence_once`, `ALTER TABLE witness_evidence DROP COLUMN IF EXISTS note, DROP COLUMN IF EXISTS known_note`],
});
