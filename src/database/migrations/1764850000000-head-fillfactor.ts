import { migration } from '../migration-steps';

// Issue #15, what PostgreSQL writes per statement: every batch updates the head row of each log it
// appends to (log_head: size, root, last leaf), a few rows updated over and over. With full pages,
// two thirds of those updates found no room on their page and were not HOT: a new index entry and
// a dead one each time (bench:ingest, docs/performance.md). Half-empty pages keep the new versions
// on the same page (HOT: no index entry), and pruning reclaims the old ones there. The setting
// applies to the pages filled from now on; the table holds one row per log, so it costs little.
export const HeadFillfactor1764850000000 = migration('HeadFillfactor1764850000000', {
  up: [`ALTER TABLE log_head SET (fillfactor = 50)`],
  down: [`ALTER TABLE log_head RESET (fillfactor)`],
});
