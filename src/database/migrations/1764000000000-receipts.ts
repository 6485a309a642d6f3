import { migration } from '../migration-steps';

// SPEC §8: one receipt per decision per ancestor, whatever the retries; one ratification motion
// per ratified decision.
export const Receipts1764000000000 = migration('Receipts1764000000000', {
  up: [
    `
      CREATE TABLE receipt (
        ancestor  text NOT NULL REFERENCES circle(id),
        child     text NOT NULL REFERENCES circle(id),
        proposal  text NOT NULL,
        child_seq bigint NOT NULL,
        seq       bigint NOT NULL,
        PRIMARY KEY (ancestor, child, proposal)
      )`,
    `CREATE UNIQUE INDEX proposal_ratifies_once ON proposal ((body -> 'ratifies' ->> 'circle'), (body -> 'ratifies' ->> 'proposal'))
       WHERE body ? 'ratifies'`,
  ],
  down: [
    `DROP INDEX IF EXISTS proposal_ratifies_once`,
    `DROP TABLE IF EXISTS receipt`,
  ],
});
