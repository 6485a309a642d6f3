import { migration } from '../migration-steps';

// Issue #15, what PostgreSQL reads per statement: a writer batch asks, for each (circle, member)
// its statements name, whether she holds a pending invitation there. The pending invitations were
// indexed by member alone (for "her invitations"), so a member invited to many circles, or invited
// again and again to one (a re-invitation is a statement like any other), made each lookup walk all
// her pending rows: 4.6 ms per batch of bench:ingest's spread workload, a third of PostgreSQL's
// time. Indexed by member then circle, the one index answers both, and the pair's lookup stops at
// its first row.
export const InvitationPending1765000000000 = migration('InvitationPending1765000000000', {
  up: [`CREATE INDEX invitation_pending ON invitation (member, circle) WHERE accepted_seq IS NULL`, `DROP INDEX invitation_pending_member`],
  down: [`CREATE INDEX invitation_pending_member ON invitation (member) WHERE accepted_seq IS NULL`, `DROP INDEX invitation_pending`],
});
