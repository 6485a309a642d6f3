import { MigrationInterface, QueryRunner } from 'typeorm';

// SPEC §9: Redis keeps nothing that PostgreSQL does not. An outbox row stays unfinished until its
// job has completed, so jobs that an empty Redis restart lost are dispatched again.
export class OutboxCompletion1764300000000 implements MigrationInterface {
  name = 'OutboxCompletion1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE job_outbox ADD COLUMN completed_at timestamptz(3)`);
    // Rows written before this migration carry no job id: count what was dispatched as done.
    await q.query(`UPDATE job_outbox SET completed_at = dispatched_at WHERE job_id = '' AND dispatched_at IS NOT NULL`);
    await q.query(`CREATE INDEX job_outbox_unfinished ON job_outbox (job_id) WHERE completed_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS job_outbox_unfinished`);
    await q.query(`ALTER TABLE job_outbox DROP COLUMN IF EXISTS completed_at`);
  }
}
