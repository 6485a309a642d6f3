import { appendOnly, dropTables, migration, refuseTruncate } from '../migration-steps';
import { moveInstanceKeyOut } from '../instance-key-file';

// Defence in depth below the API (docs/operations.md#database-roles, #the-instance-key, #self-audit).
// - instance_key keeps public material only: an existing private key is written to the key file
//   (0600, read back and checked) before its column is dropped; the table refuses TRUNCATE too.
// - log_freeze: logs the self-audit found altered; appends to them are refused until an operator
//   calls archipel_unfreeze (owner only). Rows are never updated: a freeze is inserted, and lifted
//   by that function alone.
// - log_audit: how far each log was re-verified, so the periodic audit reads only what is new.
export const Defence1764700000000 = migration('Defence1764700000000', {
  up: [
    async (q) => {
      const [row] = (await q.query(`SELECT kid, private_jwk FROM instance_key WHERE id = 1 AND private_jwk IS NOT NULL`)) as Array<{
        kid: string;
        private_jwk: Record<string, string>;
      }>;
      if (row) {
        moveInstanceKeyOut(row.kid, row.private_jwk);
        // The row triggers refuse UPDATE; dropping the column is DDL, done by the owner only.
        await q.query(`ALTER TABLE instance_key DROP COLUMN private_jwk`);
      } else {
        await q.query(`ALTER TABLE instance_key DROP COLUMN IF EXISTS private_jwk`);
      }
    },
    refuseTruncate('instance_key'),

    `
      CREATE TABLE log_freeze (
        circle      text PRIMARY KEY,
        code        text NOT NULL,
        reason      text NOT NULL,
        detected_by text NOT NULL,
        detected_at timestamptz(3) NOT NULL DEFAULT now()
      )`,
    ...appendOnly('log_freeze'),
    `
      CREATE TABLE log_audit (
        circle           text PRIMARY KEY,
        size             bigint NOT NULL,
        root             bytea NOT NULL,
        last_leaf        bytea,
        last_recorded_at text,
        frontier         bytea[] NOT NULL,
        full_pass_at     timestamptz(3) NOT NULL,
        audited_at       timestamptz(3) NOT NULL
      )`,
    // The operator's one way to lift a freeze, after restoring the log or accepting its state; it
    // also forgets the log's audit so the next pass re-verifies it from its first entry.
    `
      CREATE FUNCTION archipel_unfreeze(log text) RETURNS boolean LANGUAGE plpgsql AS $$
      DECLARE lifted boolean;
      BEGIN
        ALTER TABLE log_freeze DISABLE TRIGGER log_freeze_append_only;
        DELETE FROM log_freeze WHERE circle = log;
        lifted := FOUND;
        ALTER TABLE log_freeze ENABLE TRIGGER log_freeze_append_only;
        DELETE FROM log_audit WHERE circle = log;
        RETURN lifted;
      END $$`,
    `REVOKE EXECUTE ON FUNCTION archipel_unfreeze(text) FROM PUBLIC`,
  ],
  down: [
    `DROP FUNCTION IF EXISTS archipel_unfreeze(text)`,
    ...dropTables(['log_audit', 'log_freeze']),
    `DROP TRIGGER IF EXISTS instance_key_no_truncate ON instance_key`,
    `ALTER TABLE instance_key ADD COLUMN IF NOT EXISTS private_jwk jsonb`,
  ],
});
