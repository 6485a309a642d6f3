import { MigrationInterface, QueryRunner } from 'typeorm';

// SPEC §7: exactly one new circle per fork, whatever the retries.
export class Forks1764200000000 implements MigrationInterface {
  name = 'Forks1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE circle ADD COLUMN fork_cause text`);
    await q.query(`CREATE UNIQUE INDEX circle_fork_once ON circle (fork_cause) WHERE fork_cause IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS circle_fork_once`);
    await q.query(`ALTER TABLE circle DROP COLUMN IF EXISTS fork_cause`);
  }
}
