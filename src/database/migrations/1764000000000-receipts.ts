import { MigrationInterface, QueryRunner } from 'typeorm';

// SPEC §8: one receipt per decision per ancestor, whatever the retries; one ratification motion
// per ratified decision.
export class Receipts1764000000000 implements MigrationInterface {
  name = 'Receipts1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE receipt (
        ancestor  text NOT NULL REFERENCES circle(id),
        child     text NOT NULL REFERENCES circle(id),
        proposal  text NOT NULL,
        child_seq bigint NOT NULL,
        seq       bigint NOT NULL,
        PRIMARY KEY (ancestor, child, proposal)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX proposal_ratifies_once ON proposal ((body -> 'ratifies' ->> 'circle'), (body -> 'ratifies' ->> 'proposal'))
       WHERE body ? 'ratifies'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS proposal_ratifies_once`);
    await q.query(`DROP TABLE IF EXISTS receipt`);
  }
}
