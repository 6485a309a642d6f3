import { beforeInsert, migration } from '../migration-steps';

// SPEC §5.1 at scale: every member of a circle gets a small number, 0, 1, 2… in the order they
// first joined, kept for good (a member who leaves and comes back keeps hers). Votes and
// delegations carry the numbers of their member and delegate, so the bulk tally loader
// (src/proposals/tally-loader.ts) reads a million members as integers instead of a hundred
// megabytes of id text.
//
// Triggers fill the numbers on insert, so every writer (the projections, a fork's genesis, the
// benchmarks' generators, tests that seed tables) gets them without knowing. A row inserted with
// a number keeps it. Numbers are taken under the circle's writer lock (one writer per circle), and
// a row-level BEFORE trigger sees the rows earlier in its own statement, so a multi-row insert
// numbers its new members one after the other. A vote or delegation whose member (or delegate)
// is no member of the circle gets NULL: such a member is never eligible, so the loader skips it.
export const MemberNumbers1764400000000 = migration('MemberNumbers1764400000000', {
  up: [
    `ALTER TABLE circle_membership ADD COLUMN num integer`,
    `
      UPDATE circle_membership c SET num = n.num
        FROM (SELECT circle, member, (row_number() OVER (PARTITION BY circle ORDER BY first, member) - 1)::integer AS num
                FROM (SELECT circle, member, min(joined_seq) AS first FROM circle_membership GROUP BY circle, member) f) n
       WHERE c.circle = n.circle AND c.member = n.member`,
    `ALTER TABLE circle_membership ALTER COLUMN num SET NOT NULL`,
    `CREATE INDEX circle_membership_num ON circle_membership (circle, num)`,

    `ALTER TABLE vote ADD COLUMN member_num integer`,
    `
      UPDATE vote v SET member_num = (SELECT c.num FROM proposal p JOIN circle_membership c ON c.circle = p.circle AND c.member = v.member
                                       WHERE p.id = v.proposal LIMIT 1)`,
    `ALTER TABLE delegation ADD COLUMN member_num integer, ADD COLUMN delegate_num integer`,
    `
      UPDATE delegation d SET member_num = (SELECT c.num FROM circle_membership c WHERE c.circle = d.circle AND c.member = d.member LIMIT 1),
                              delegate_num = (SELECT c.num FROM circle_membership c WHERE c.circle = d.circle AND c.member = d.delegate LIMIT 1)`,

    ...beforeInsert('circle_membership', 'circle_membership_num', 'archipel_membership_num', [
      'IF NEW.num IS NULL THEN',
      '  SELECT c.num INTO NEW.num FROM circle_membership c WHERE c.circle = NEW.circle AND c.member = NEW.member LIMIT 1;',
      '  IF NEW.num IS NULL THEN',
      '    SELECT coalesce(max(c.num), -1) + 1 INTO NEW.num FROM circle_membership c WHERE c.circle = NEW.circle;',
      '  END IF;',
      'END IF;',
    ]),
    ...beforeInsert('vote', 'vote_num', 'archipel_vote_num', [
      'IF NEW.member_num IS NULL THEN',
      '  SELECT c.num INTO NEW.member_num FROM proposal p JOIN circle_membership c ON c.circle = p.circle AND c.member = NEW.member',
      '   WHERE p.id = NEW.proposal LIMIT 1;',
      'END IF;',
    ]),
    ...beforeInsert('delegation', 'delegation_num', 'archipel_delegation_num', [
      'IF NEW.member_num IS NULL THEN',
      '  SELECT c.num INTO NEW.member_num FROM circle_membership c WHERE c.circle = NEW.circle AND c.member = NEW.member LIMIT 1;',
      'END IF;',
      'IF NEW.delegate_num IS NULL THEN',
      '  SELECT c.num INTO NEW.delegate_num FROM circle_membership c WHERE c.circle = NEW.circle AND c.member = NEW.delegate LIMIT 1;',
      'END IF;',
    ]),
  ],
  down: [
    `DROP TRIGGER IF EXISTS delegation_num ON delegation`,
    `DROP TRIGGER IF EXISTS vote_num ON vote`,
    `DROP TRIGGER IF EXISTS circle_membership_num ON circle_membership`,
    `DROP FUNCTION IF EXISTS archipel_delegation_num()`,
    `DROP FUNCTION IF EXISTS archipel_vote_num()`,
    `DROP FUNCTION IF EXISTS archipel_membership_num()`,
    `ALTER TABLE delegation DROP COLUMN IF EXISTS member_num, DROP COLUMN IF EXISTS delegate_num`,
    `ALTER TABLE vote DROP COLUMN IF EXISTS member_num`,
    `DROP INDEX IF EXISTS circle_membership_num`,
    `ALTER TABLE circle_membership DROP COLUMN IF EXISTS num`,
  ],
});
