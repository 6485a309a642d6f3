import { migration } from '../migration-steps';

// SPEC §7: exactly one new circle per fork, whatever the retries.
export const Forks1764200000000 = migration('Forks1764200000000', {
  up: [
    `ALTER TABLE circle ADD COLUMN fork_cause text`,
    `CREATE UNIQUE INDEX circle_fork_once ON circle (fork_cause) WHERE fork_cause IS NOT NULL`,
  ],
  down: [
    `DROP INDEX IF EXISTS circle_fork_once`,
    `ALTER TABLE circle DROP COLUMN IF EXISTS fork_cause`,
  ],
});
