import { migration } from '../migration-steps';

// SPEC §5: a proposal is tallied once. The writer's state check makes a second `tally.result`
// impossible; this trigger makes a second close of the projection refuse itself in the database,
// so that the writer can send its COMMIT in the same flight as its writes, with no answer to read
// in between (ledger-writer.ts): before, the UPDATE's RETURNING was checked in the service.
export const ProposalClosedOnce1765100000000 = migration('ProposalClosedOnce1765100000000', {
  up: [
    `
      CREATE FUNCTION archipel_proposal_closed_once() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.result IS NOT NULL THEN
          RAISE EXCEPTION 'archipel: proposal % was already closed', OLD.id USING ERRCODE = 'unique_violation';
        END IF;
        RETURN NEW;
      END $$`,
    `CREATE TRIGGER proposal_closed_once BEFORE UPDATE OF result ON proposal FOR EACH ROW EXECUTE FUNCTION archipel_proposal_closed_once()`,
  ],
  down: [`DROP TRIGGER proposal_closed_once ON proposal`, `DROP FUNCTION archipel_proposal_closed_once()`],
});
