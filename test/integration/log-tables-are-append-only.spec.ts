// The database itself refuses UPDATE, DELETE and TRUNCATE on the log tables.
import { DataSource } from 'typeorm';
import { openDataSource, runMigrations } from '../../src/database/data-source';
import { createTestDatabase, TestDatabase } from '../support/database';
import { embeddedTestDatabase } from '../support/database-urls';

describe('log tables', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource({ url: db.url, poolSize: 2, embedded: embeddedTestDatabase() });
    await ds.query(
      `INSERT INTO log_entry (circle, seq, leaf, line, type, signer, statement_id, recorded_at)
       VALUES ('c-append-only', 0, '\\x00', '{}', 'circle.create', 'k', 'id-append-only', now())`,
    );
    await ds.query(`INSERT INTO merkle_node (circle, level, idx, hash) VALUES ('c-append-only', 0, 0, '\\x00')`);
    await ds.query(`INSERT INTO checkpoint (circle, size, root, note) VALUES ('c-append-only', 1, '\\x00', 'note')`);
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  it.each(['log_entry', 'merkle_node', 'checkpoint'])('%s refuses UPDATE, DELETE and TRUNCATE', async (table) => {
    await expect(ds.query(`UPDATE ${table} SET circle = 'x' WHERE circle = 'c-append-only'`)).rejects.toThrow(/append-only/);
    await expect(ds.query(`DELETE FROM ${table} WHERE circle = 'c-append-only'`)).rejects.toThrow(/append-only/);
    await expect(ds.query(`TRUNCATE ${table}`)).rejects.toThrow(/append-only/);
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM ${table} WHERE circle = 'c-append-only'`);
    expect(n).toBe(1);
  });

  it('refuses a second entry at the same seq and a replayed statement id', async () => {
    await expect(
      ds.query(`INSERT INTO log_entry (circle, seq, leaf, line, type, signer, statement_id, recorded_at)
                VALUES ('c-append-only', 0, '\\x01', '{}', 'x', 'k', 'other', now())`),
    ).rejects.toThrow(/duplicate key/);
    await expect(
      ds.query(`INSERT INTO log_entry (circle, seq, leaf, line, type, signer, statement_id, recorded_at)
                VALUES ('c-append-only', 1, '\\x01', '{}', 'x', 'k', 'id-append-only', now())`),
    ).rejects.toThrow(/log_entry_statement_once/);
  });

  it('migrates down and up again (round trip)', async () => {
    if (embeddedTestDatabase()) return; // one shared PGlite database: the round trip would disturb the other files
    const fresh = await createTestDatabase();
    const other = await openDataSource({ url: fresh.url, poolSize: 1 });
    try {
      const tables = async () =>
        (await other.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)).map((r: { tablename: string }) => r.tablename);
      const before = await tables();
      expect(before).toEqual(expect.arrayContaining(['log_entry', 'log_head', 'merkle_node', 'checkpoint', 'member', 'circle']));
      for (let i = 0; i < other.migrations.length; i++) await other.undoLastMigration({ transaction: 'each' });
      expect(await tables()).toEqual(['migrations']);
      expect(await runMigrations(other)).toHaveLength(other.migrations.length);
      expect(await tables()).toEqual(before);
    } finally {
      await other.destroy();
      await fresh.drop();
    }
  });
});
