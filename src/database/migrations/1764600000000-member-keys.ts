import { migration } from '../migration-steps';

// SPEC §11: the keys of every member over time, projected from the registry log. One row per key
// ever recorded: her registration key (kid = member id), the keys she added, her recovery keys.
// `revoked_seq` / `revoked_at`: the registry entry that revoked it (a recovery key: replaced it).
// Existing members get their registration key, added at their registration entry.
export const MemberKeys1764600000000 = migration('MemberKeys1764600000000', {
  up: [
    `
      CREATE TABLE member_key (
        kid         text PRIMARY KEY,
        member      text NOT NULL REFERENCES member (id),
        jwk         jsonb NOT NULL,
        role        text NOT NULL CHECK (role IN ('active', 'recovery')),
        added_seq   bigint NOT NULL,
        added_at    timestamptz(3) NOT NULL,
        revoked_seq bigint,
        revoked_at  timestamptz(3)
      )`,
    `CREATE INDEX member_key_member ON member_key (member, added_seq)`,
    `CREATE INDEX member_key_revoked ON member_key (revoked_seq) WHERE revoked_seq IS NOT NULL`,
    `
      INSERT INTO member_key (kid, member, jwk, role, added_seq, added_at)
      SELECT m.id, m.id, m.jwk, 'active', m.registry_seq, e.recorded_at
        FROM member m JOIN log_entry e ON e.circle = 'registry' AND e.seq = m.registry_seq`,
  ],
  down: [
    `DROP TABLE IF EXISTS member_key`,
  ],
});
