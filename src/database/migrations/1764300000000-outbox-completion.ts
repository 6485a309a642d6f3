import { migration } from '../migration-steps';

// SPEC §9: Redis keeps nothing that PostgreSQL does not. An outbox row stays unfinished until its
// job has completed, so jobs that an empty Redis restart lost are dispatched again.
export const OutboxCompletion1764300000000 = migration('OutboxCompletion1764300000000', {
  up: [
    `ALTER TABLE job_outbox ADD COLUMN completed_at timestamptz(3)`,
    // Rows written before this migration carry no job id: count what was dispatched as done.
    `UPDATE job_outbox SET completed_at = dispatched_at WHERE job_id = '' AND dispatched_at IS NOT NULL`,
    `CREATE INDEX job_outbox_unfinished ON job_outbox (job_id) WHERE completed_at IS NULL`,
  ],
  down: [
    `DROP INDEX IF EXISTS job_outbox_unfinished`,
    `ALTER TABLE job_outbox DROP COLUMN IF EXISTS completed_at`,
  ],
});
