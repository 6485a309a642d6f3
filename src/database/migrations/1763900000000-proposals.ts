import { dropTables, migration } from '../migration-steps';

// SPEC §4, §5: proposals, the last vote of each member, and delegations with the interval in
// which each was in force — projections of the logs, maintained as statements are appended, so a
// tally reads current state in bulk and never the whole log.
export const Proposals1763900000000 = migration('Proposals1763900000000', {
  up: [
    `
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
      )`,
    `CREATE INDEX proposal_circle ON proposal (circle)`,
    `CREATE INDEX proposal_pending ON proposal (closes_at) WHERE result IS NULL`,
    `
      CREATE TABLE vote (
        proposal    text NOT NULL REFERENCES proposal(id),
        member      text NOT NULL,
        choice      text,
        reason      text,
        seq         bigint NOT NULL,
        recorded_at timestamptz(3) NOT NULL,
        PRIMARY KEY (proposal, member)
      )`,
    `
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
      )`,
    `CREATE UNIQUE INDEX delegation_current ON delegation (circle, member, scope_kind, scope_value) WHERE ended_seq IS NULL`,
    `CREATE INDEX delegation_delegate ON delegation (circle, delegate) WHERE ended_seq IS NULL`,
  ],
  down: [
    ...dropTables(['delegation', 'vote', 'proposal']),
  ],
});
