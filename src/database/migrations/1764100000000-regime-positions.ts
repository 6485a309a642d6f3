import { MigrationInterface, QueryRunner } from 'typeorm';

// SPEC §6: each member's current position on the regime cursor.
export class RegimePositions1764100000000 implements MigrationInterface {
  name = 'RegimePositions1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE regime_position (
        circle   text NOT NULL REFERENCES circle(id),
        member   text NOT NULL,
        position text NOT NULL,
        seq      bigint NOT NULL,
        PRIMARY KEY (circle, member)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS regime_position`);
  }
}
