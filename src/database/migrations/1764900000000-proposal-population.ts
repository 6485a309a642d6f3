import { dropTables, migration } from '../migration-steps';

// Issue #15, the tally of a big circle: its eligible members are frozen at the proposal's opening
// (SPEC §5.1), yet every tally read them again from the memberships (a million rows at a million
// members, most of the tally's time). A job at the opening keeps them once per proposal, for
// circles of at least POPULATION_SNAPSHOT_MIN members (src/proposals/tally-loader.ts), as runs of
// consecutive member numbers: numbers are given in the order members first joined, so the
// members at an opening are a few long runs (one per gap left by those who had left), each a
// pair of big-endian int32s, first and last. `count` is how many members the runs hold, `top`
// the highest number. Stored uncompressed (STORAGE EXTERNAL): the tally reads the value whole.
export const ProposalPopulation1764900000000 = migration('ProposalPopulation1764900000000', {
  up: [
    `
      CREATE TABLE proposal_population (
        proposal text PRIMARY KEY REFERENCES proposal (id),
        runs     bytea NOT NULL CHECK (octet_length(runs) % 8 = 0),
        top      integer NOT NULL,
        count    integer NOT NULL
      )`,
    `ALTER TABLE proposal_population ALTER COLUMN runs SET STORAGE EXTERNAL`,
  ],
  down: dropTables(['proposal_population']),
});
