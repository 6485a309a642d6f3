import { appendOnly, dropTables, migration, refuseRowChanges } from '../migration-steps';

// SPEC §3.5, §3.6: the logs, their Merkle trees and checkpoints are append-only; the database
// itself refuses UPDATE, DELETE and TRUNCATE on them. State tables (members, circles, …) are
// projections of the logs, maintained in the same transaction as each append.
export const Ledger1763800000000 = migration('Ledger1763800000000', {
  up: [
    `
      CREATE FUNCTION archipel_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'archipel: % on % is refused: the table is append-only', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege';
      END $$`,

    `
      CREATE TABLE log_head (
        circle           text PRIMARY KEY,
        size             bigint NOT NULL,
        root             bytea NOT NULL,
        last_leaf        bytea,
        last_recorded_at timestamptz(3)
      )`,
    `
      CREATE TABLE log_entry (
        circle       text NOT NULL,
        seq          bigint NOT NULL,
        leaf         bytea NOT NULL,
        line         text NOT NULL,
        type         text NOT NULL,
        signer       text NOT NULL,
        statement_id text NOT NULL,
        recorded_at  timestamptz(3) NOT NULL,
        PRIMARY KEY (circle, seq),
        CONSTRAINT log_entry_statement_once UNIQUE (signer, statement_id)
      )`,
    `
      CREATE TABLE merkle_node (
        circle text NOT NULL,
        level  smallint NOT NULL,
        idx    bigint NOT NULL,
        hash   bytea NOT NULL,
        PRIMARY KEY (circle, level, idx)
      )`,
    `
      CREATE TABLE checkpoint (
        circle     text NOT NULL,
        size       bigint NOT NULL,
        root       bytea NOT NULL,
        note       text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (circle, size)
      )`,
    ...['log_entry', 'merkle_node', 'checkpoint'].flatMap(appendOnly),

    `
      CREATE TABLE instance_key (
        id          smallint PRIMARY KEY CHECK (id = 1),
        kid         text NOT NULL,
        public_jwk  jsonb NOT NULL,
        -- NULL when INSTANCE_KEY_STORE names a file: the database then only pins the public key.
        private_jwk jsonb,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`,
    refuseRowChanges('instance_key'),

    `
      CREATE TABLE member (
        id           text PRIMARY KEY,
        name         text NOT NULL,
        jwk          jsonb NOT NULL,
        registry_seq bigint NOT NULL
      )`,
    `
      CREATE TABLE circle (
        id           text PRIMARY KEY,
        name         text NOT NULL,
        parent       text REFERENCES circle(id),
        regime       text NOT NULL,
        params       jsonb NOT NULL,
        genesis_leaf bytea NOT NULL,
        forked_from  text REFERENCES circle(id)
      )`,
    `CREATE INDEX circle_parent ON circle (parent)`,
    `
      CREATE TABLE circle_membership (
        circle     text NOT NULL REFERENCES circle(id),
        member     text NOT NULL REFERENCES member(id),
        joined_seq bigint NOT NULL,
        left_seq   bigint,
        PRIMARY KEY (circle, member, joined_seq)
      )`,
    `CREATE UNIQUE INDEX circle_membership_current ON circle_membership (circle, member) WHERE left_seq IS NULL`,
    `
      CREATE TABLE invitation (
        circle       text NOT NULL REFERENCES circle(id),
        member       text NOT NULL REFERENCES member(id),
        invited_seq  bigint NOT NULL,
        invited_by   text NOT NULL,
        accepted_seq bigint,
        PRIMARY KEY (circle, member, invited_seq)
      )`,

    // Jobs are written here in the transaction that justifies them and only then enqueued, so a
    // crash between commit and enqueue loses nothing (SPEC §9, docs/architecture.md).
    `
      CREATE TABLE job_outbox (
        id            bigserial PRIMARY KEY,
        name          text NOT NULL,
        job_id        text NOT NULL,
        payload       jsonb NOT NULL,
        run_at        timestamptz(3) NOT NULL,
        created_at    timestamptz(3) NOT NULL DEFAULT now(),
        dispatched_at timestamptz(3)
      )`,
    `CREATE INDEX job_outbox_pending ON job_outbox (id) WHERE dispatched_at IS NULL`,
  ],
  down: [
    ...dropTables(['job_outbox', 'invitation', 'circle_membership', 'circle', 'member', 'instance_key', 'checkpoint', 'merkle_node', 'log_entry', 'log_head'], true),
    `DROP FUNCTION IF EXISTS archipel_refuse_change()`,
  ],
});
