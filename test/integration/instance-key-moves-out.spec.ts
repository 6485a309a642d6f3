// Upgrading an instance that kept its private key in the database: the migration writes it to the
// key file (0600, read back and compared by kid) before dropping the column, and stops, changing
// nothing, when a file there holds another key.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { StatementSigner } from '../../src/core/formats/statement-signer';
import { dataSourceOptions } from '../../src/database/data-source';
import { setInstanceKeyFile } from '../../src/database/instance-key-file';
import { migrations } from '../../src/database/migrations';
import { createEmptyDatabase, TestDatabase } from '../support/database';
import { describeWithServer } from '../support/database-urls';

describeWithServer('the instance key moves out of the database', () => {
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    setInstanceKeyFile(null);
    for (const db of databases) await db.drop();
  });

  /** A database migrated up to before the move, holding a private key as the former default did. */
  async function oldInstance(key: StatementSigner): Promise<DataSource> {
    const db = await createEmptyDatabase();
    databases.push(db);
    const before = migrations.filter((m) => m.name !== 'Defence1764700000000');
    const old = new DataSource({ ...dataSourceOptions({ url: db.ownerUrl, poolSize: 1 }), migrations: before });
    await old.initialize();
    await old.runMigrations({ transaction: 'each' });
    await old.query(`INSERT INTO instance_key (id, kid, public_jwk, private_jwk) VALUES (1, $1, $2, $3)`, [
      key.id,
      JSON.stringify(key.publicJwk),
      JSON.stringify(key.exportPrivateJwk()),
    ]);
    await old.destroy();
    const ds = new DataSource({ ...dataSourceOptions({ url: db.ownerUrl, poolSize: 1 }), migrations });
    await ds.initialize();
    return ds;
  }

  it('writes the key to a 0600 file, then drops the column', async () => {
    const key = StatementSigner.generate();
    const ds = await oldInstance(key);
    const file = join(mkdtempSync(join(tmpdir(), 'archipel-key-')), 'keys', 'instance-key.jwk');
    setInstanceKeyFile(file);
    try {
      await ds.runMigrations({ transaction: 'each' });
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(StatementSigner.fromPrivateJwk(JSON.parse(readFileSync(file, 'utf8'))).id).toBe(key.id);
      const columns = await ds.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'instance_key'`);
      expect(columns.map((c: { column_name: string }) => c.column_name).sort()).toEqual(['created_at', 'id', 'kid', 'public_jwk']);
      expect(await ds.query(`SELECT kid FROM instance_key`)).toEqual([{ kid: key.id }]);
    } finally {
      await ds.destroy();
    }
  });

  it('refuses, changing nothing, when the file holds another key', async () => {
    const key = StatementSigner.generate();
    const ds = await oldInstance(key);
    const file = join(mkdtempSync(join(tmpdir(), 'archipel-key-')), 'instance-key.jwk');
    const other = StatementSigner.generate();
    writeFileSync(file, JSON.stringify(other.exportPrivateJwk()), { mode: 0o600 });
    setInstanceKeyFile(file);
    try {
      await expect(ds.runMigrations({ transaction: 'each' })).rejects.toThrow(/holds another key/);
      const [row] = await ds.query(`SELECT private_jwk FROM instance_key`);
      expect(row.private_jwk).toEqual(key.exportPrivateJwk());
      expect(StatementSigner.fromPrivateJwk(JSON.parse(readFileSync(file, 'utf8'))).id).toBe(other.id);
    } finally {
      await ds.destroy();
    }
  });

  it('refuses when no key file was given', async () => {
    const ds = await oldInstance(StatementSigner.generate());
    setInstanceKeyFile(null);
    try {
      await expect(ds.runMigrations({ transaction: 'each' })).rejects.toThrow(/INSTANCE_KEY_STORE or DATA_DIR/);
    } finally {
      await ds.destroy();
    }
  });
});
