import { MigrationInterface, QueryRunner } from 'typeorm';
// The read routes of the web app and the CLI (docs/api.md): a member's circles and pending
// invitations, a circle's proposals newest first (cursor paging on opened_seq), a proposal's
// receipts in its ancestors, the circles forked out of one, and a motion's amendments.
export class ReadRoutes1764520000000 implements MigrationInterface {
  name = 'ReadRoutes1764520000000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX circle_membership_member ON circle_membership (member) WHERE left_seq IS NULL`);
    await q.query(`CREATE INDEX invitation_pending_member ON invitation (member) WHERE accepted_seq IS NULL`);
    await q.query(`CREATE INDEX proposal_circle_newest ON proposal (circle, opened_seq DESC)`);
    // A motion's amendments, read with every amendment-regime motion a route answers.
    await q.query(`CREATE INDEX proposal_amendment_target ON proposal ((body ->> 'target')) WHERE kind = 'amendment'`);
    await q.query(`CREATE INDEX receipt_proposal ON receipt (proposal)`);
    await q.query(`CREATE INDEX circle_forked_from ON circle (forked_from) WHERE forked_from IS NOT NULL`);
  }
  async down(q: QueryRunner): Promise<void> {
    for (const index of ['circle_forked_from', 'receipt_proposal', 'proposal_amendment_target', 'proposal_circle_newest', 'invitation_pending_member', 'circle_membership_member']) {
      await q.query(`DROP INDEX IF EXISTS ${index}`);
    }
  }
}
