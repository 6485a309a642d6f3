import { migration } from '../migration-steps';
// The read routes of the web app and the CLI (docs/api.md): a member's circles and pending
// invitations, a circle's proposals newest first (cursor paging on opened_seq), a proposal's
// receipts in its ancestors, the circles forked out of one, and a motion's amendments.
export const ReadRoutes1764520000000 = migration('ReadRoutes1764520000000', {
  up: [
    `CREATE INDEX circle_membership_member ON circle_membership (member) WHERE left_seq IS NULL`,
    `CREATE INDEX invitation_pending_member ON invitation (member) WHERE accepted_seq IS NULL`,
    `CREATE INDEX proposal_circle_newest ON proposal (circle, opened_seq DESC)`,
    // A motion's amendments, read with every amendment-regime motion a route answers.
    `CREATE INDEX proposal_amendment_target ON proposal ((body ->> 'target')) WHERE kind = 'amendment'`,
    `CREATE INDEX receipt_proposal ON receipt (proposal)`,
    `CREATE INDEX circle_forked_from ON circle (forked_from) WHERE forked_from IS NOT NULL`,
  ],
  down: [
    ...['circle_forked_from', 'receipt_proposal', 'proposal_amendment_target', 'proposal_circle_newest', 'invitation_pending_member', 'circle_membership_member'].map(
      (index) => `DROP INDEX IF EXISTS ${index}`,
    ),
  ],
});
