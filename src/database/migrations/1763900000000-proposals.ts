import { MigrationInterface, QueryRunner } from 'typeorm';

// SPEC §4, §5: proposals, the last vote of each member, and delegations with the interval in
// which each was in force — projections of the logs, maintained as statements are appended, so a
// tally reads current state in bulk and never the whole log.
export class Proposals1763900000000 implements MigrationInterface {
  name = 'Proposals1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE proposal (
        id                  text PRIMARY KEY,
        circle              text NOT NULL REFERENCES circle(id),
        opened_seq          bigint NOT NULL,
        opened_at           timestamptz(3) NOT NULL,
        opened_by           text NOT NULL,
        kind                text NOT NULL,
        title               text NOT NULL,
        text                text NOT NULL,
        topic               text,
        regime              text NOT NULL,
        params              jsonb NOT NULL,
        closes_at           timestamptz(3) NOT NULL,
        amendments_close_at timestamptz(3),
        body                jsonb NOT NULL,
        result              jsonb,
        closed_seq          bigint
      )`);
    await q.query(`CREATE INDEX proposal_circle ON proposal (circle)`);
    await q.query(`CREATE INDEX proposal_pending ON proposal (closes_at) WHERE result IS NULL`);
    await q.query(`
      CREATE TABLE vote (
        proposal    text NOT NULL REFERENCES proposal(id),
        member      text NOT NULL,
        choice      text,
        reason      text,
        seq         bigint NOT NULL,
        recorded_at timestamptz(3) NOT NULL,
        PRIMARY KEY (proposal, member)
      )`);
    await q.query(`
      CREATE TABLE delegation (
        circle      text NOT NULL REFERENCES circle(id),
        member      text NOT NULL,
        scope_kind  text NOT NULL CHECK (scope_kind IN ('circle', 'topic', 'proposal')),
        scope_value text NOT NULL,
        delegate    text NOT NULL,
        set_seq     bigint NOT NULL,
        set_at      timestamptz(3) NOT NULL,
        ended_seq   bigint,
        ended_at    timestamptz(3),
        PRIMARY KEY (circle, member, scope_kind, scope_value, set_seq)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX delegation_current ON delegation (circle, member, scope_kind, scope_value) WHERE ended_seq IS NULL`,
    );
    await q.query(`CREATE INDEX delegation_delegate ON delegation (circle, delegate) WHERE ended_seq IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS delegation`);
    await q.query(`DROP TABLE IF EXISTS vote`);
    await q.query(`DROP TABLE IF EXISTS proposal`);
  }
}
