import { migration } from '../migration-steps';

// SPEC §6: each member's current position on the regime cursor.
export const RegimePositions1764100000000 = migration('RegimePositions1764100000000', {
  up: [
    `
      CREATE TABLE regime_position (
        circle   text NOT NULL REFERENCES circle(id),
        member   text NOT NULL,
        position text NOT NULL,
        seq      bigint NOT NULL,
        PRIMARY KEY (circle, member)
      )`,
  ],
  down: [
    `DROP TABLE IF EXISTS regime_position`,
  ],
});
