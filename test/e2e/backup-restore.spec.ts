// Backups that verify (docs/operations.md#backups): a pg_dump taken as the owner role, restored as
// the owner role into a fresh database (no superuser, as the procedure says), is audited before it
// serves again. A restore that lost the tail of a log is caught against the
// last checkpoint the instance published, which is kept outside the database (CHECKPOINT_MIRROR_DIR,
// here the first service's DATA_DIR/published-checkpoints, as a witness's copy would be).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { StatementSigner } from '../../src/core/formats/statement-signer';
import { CheckpointMirror } from '../../src/ledger/checkpoint-mirror';
import { LogAuditor } from '../../src/ledger/log-auditor';
import { startTestApp, TestApp } from '../support/app';
import { ApiClient } from '../support/client';
import { createEmptyDatabase, TestDatabase } from '../support/database';
import { describeWithServer, OWNER_ROLE } from '../support/database-urls';

describeWithServer('backup and restore', () => {
  let t: TestApp;
  let api: ApiClient;
  let alice: StatementSigner;
  let circle: string;
  const dir = mkdtempSync(join(tmpdir(), 'archipel-backup-'));
  const restored: TestApp[] = [];
  const databases: TestDatabase[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    api = new ApiClient(t.url);
    alice = await api.register('Alice');
    circle = await api.circle(alice, 'Archive');
  });
  afterAll(async () => {
    for (const app of restored) await app.close();
    for (const db of databases) await db.drop();
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const grow = async (n: number) => {
    for (let i = 0; i < n; i++) await api.act(alice, 'member.invite', circle, { member: (await api.register(`M${Math.random()}`)).id });
    expect((await api.get(`/api/v1/circles/${circle}/checkpoint`)).status).toBe(200); // signed and published
  };

  /**
   * The documented procedure, as the owner role (no superuser): pg_dump in the custom format,
   * pg_restore into an empty database the owner owns.
   */
  const dump = (name: string) => {
    const file = join(dir, `${name}.dump`);
    execFileSync('pg_dump', ['--format=custom', `--file=${file}`, `--dbname=${t.db.ownerUrl}`]);
    return file;
  };
  const restore = async (file: string) => {
    const db = await createEmptyDatabase();
    databases.push(db);
    execFileSync('pg_restore', ['--exit-on-error', '--single-transaction', `--dbname=${db.ownerUrl}`, file]);
    // The same key file and published checkpoints as the service that was backed up.
    const app = await startTestApp({ db: { ...db, drop: async () => undefined }, env: { DATA_DIR: t.env.DATA_DIR } });
    restored.push(app);
    return app;
  };

  it('a complete restore audits clean and serves again', async () => {
    await grow(2);
    const app = await restore(dump('complete'));
    // Restored as the owner: it owns every table again, the service role none.
    expect(await owners(app.db.url)).toEqual([OWNER_ROLE]);
    const outcomes = await app.app.get(LogAuditor).auditAll();
    expect(outcomes.filter((o) => o.problem)).toEqual([]);
    expect(outcomes.map((o) => o.circle)).toEqual(expect.arrayContaining([circle, 'registry']));
    const again = new ApiClient(app.url);
    expect((await again.postJws(alice.sign('member.invite', circle, { member: (await again.register('Late')).id }))).status).toBe(201);
  });

  it('a restore that lost the tail of a log is caught against the last published checkpoint', async () => {
    const old = dump('old');
    await grow(3);
    const published = t.app.get(CheckpointMirror).read(circle);
    expect(published?.size).toBe(await headSize(t.db.url, circle));

    const app = await restore(old);
    const outcome = (await app.app.get(LogAuditor).auditAll()).find((o) => o.circle === circle);
    expect(outcome?.problem).toMatchObject({ code: 'CHECKPOINT_AHEAD' });
    const again = new ApiClient(app.url);
    const refused = await again.postJws(alice.sign('member.invite', circle, { member: alice.id }));
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ code: 'LOG_FROZEN' });
    expect((await again.get(`/api/v1/circles/${circle}/log`)).status).toBe(200);
  });
});

async function owners(url: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(`SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'`)).rows.map((r: { tableowner: string }) => r.tableowner);
  } finally {
    await client.end();
  }
}

async function headSize(url: string, circle: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query(`SELECT size FROM log_head WHERE circle = $1`, [circle])).rows[0].size);
  } finally {
    await client.end();
  }
}
