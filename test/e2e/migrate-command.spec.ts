// The migration as its own step (docs/operations.md#migrations, docker-compose.yml's `migrate`
// service): `node dist/migrate.js`, as the owner role, migrates a fresh database and grants the
// service role its rights; the API then runs as the service role without the owner's credentials.
// Before that, the API and the worker refuse a schema behind their code, saying what to run.
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { migrations } from '../../src/database/migrations';
import { eventually } from '../support/app';
import { ApiClient } from '../support/client';
import { createEmptyDatabase, TestDatabase } from '../support/database';
import { describeWithServer, OWNER_ROLE, SERVICE_ROLE, testRedisUrl } from '../support/database-urls';
import { freePort } from '../support/processes';

const DIST = resolve(__dirname, '../../dist');

interface Run {
  code: number | null;
  out: string;
}

describeWithServer('node dist/migrate.js, then the service as the service role', () => {
  let db: TestDatabase;
  const dataDir = mkdtempSync(join(tmpdir(), 'archipel-migrate-'));
  const children: ChildProcess[] = [];
  let kid = '';

  beforeAll(async () => {
    db = await createEmptyDatabase();
  });
  afterAll(async () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
    }
    await db?.drop();
  });

  /** The environment of a process of the deployment: the service role's URL, and no owner URL unless given. */
  const envOf = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? tmpdir(),
    TZ: 'UTC',
    NODE_ENV: 'test',
    DATABASE_URL: db.serviceUrl,
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: `m${randomBytes(3).toString('hex')}`,
    INSTANCE_NAME: 'test.archipel.example',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    ...extra,
  });

  const spawnDist = (script: string, extra: Record<string, string>, args: string[] = []): { child: ChildProcess; output: () => string } => {
    const child = spawn(process.execPath, [join(DIST, script), ...args], { env: envOf(extra), stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    child.stdout?.on('data', (d) => (out += d));
    child.stderr?.on('data', (d) => (out += d));
    return { child, output: () => out };
  };

  const run = async (script: string, extra: Record<string, string> = {}, args: string[] = []): Promise<Run> => {
    const { child, output } = spawnDist(script, extra, args);
    const [code] = (await once(child, 'exit')) as [number | null];
    return { code, out: output() };
  };

  const pendingNames = migrations.map((M) => new M().name as string);

  it('the API and the worker refuse to start on the unmigrated database, saying to run the migration', async () => {
    // As compose runs them: RUN_MIGRATIONS=false, no owner URL.
    for (const script of ['main.js', 'worker.js']) {
      const refused = await run(script, { RUN_MIGRATIONS: 'false', PORT: String(await freePort()) });
      expect([script, refused.code]).toEqual([script, 1]);
      expect(refused.out).toMatch(/The database schema is behind this version of Archipel \(\d+ migration\(s\) pending: Ledger1763800000000, /);
      expect(refused.out).toMatch(/`node dist\/migrate\.js` with DATABASE_OWNER_URL/);
      expect(refused.out).not.toMatch(/\n\s+at /); // one paragraph, no stack
    }
    // Left to migrate at start without the owner's URL: the service role cannot create tables.
    const alone = await run('main.js', { PORT: String(await freePort()) });
    expect(alone.code).toBe(1);
    expect(alone.out).toMatch(/holds no DATABASE_OWNER_URL, and its role \(DATABASE_URL\) cannot create tables.*node dist\/migrate\.js/s);
    expect(await tables()).toEqual([]);
  });

  it('migrates as the owner and grants the service role, which owns nothing', async () => {
    const migrated = await run('migrate.js', { DATABASE_OWNER_URL: db.ownerUrl });
    expect([migrated.code, migrated.out]).toEqual([0, expect.stringContaining(`archipel: migrations applied: ${pendingNames.join(', ')}\n`)]);
    expect(migrated.out).toContain(`the service role ${SERVICE_ROLE} holds its rights`);
    const owned = await tables();
    expect(owned.length).toBeGreaterThan(10);
    expect(new Set(owned.map((t) => t.owner))).toEqual(new Set([OWNER_ROLE]));
    const [rights] = await superuser<{ insert: boolean; update: boolean; unfreeze: boolean }>(
      `SELECT has_table_privilege($1, 'log_entry', 'INSERT') AS insert, has_table_privilege($1, 'log_entry', 'UPDATE') AS update,
              has_function_privilege($1, 'archipel_unfreeze(text)', 'EXECUTE') AS unfreeze`,
      [SERVICE_ROLE],
    );
    expect(rights).toEqual({ insert: true, update: false, unfreeze: false });
    // Again: nothing to do, said so.
    const again = await run('migrate.js', { DATABASE_OWNER_URL: db.ownerUrl });
    expect([again.code, again.out]).toEqual([0, expect.stringContaining('the schema is up to date: no migration pending')]);
  });

  it('makes the instance key file once, before the first start (compose hands it in as a read-only secret)', async () => {
    const file = join(dataDir, 'instance-key.jwk');
    const made = await run('migrate.js', { INSTANCE_KEY_STORE: file }, ['--create-instance-key']);
    expect(made.code).toBe(0);
    kid = /created the instance key (\S+) in /.exec(made.out)?.[1] ?? '';
    expect(kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = await run('migrate.js', { INSTANCE_KEY_STORE: file }, ['--create-instance-key']);
    expect([again.code, again.out]).toEqual([1, expect.stringMatching(/exists already: an instance key is never replaced/)]);
  });

  it('the API then starts as the service role alone, pins that key and serves', async () => {
    const port = await freePort();
    const { child, output } = spawnDist('main.js', { RUN_MIGRATIONS: 'false', PORT: String(port), HOST: '127.0.0.1' });
    const api = new ApiClient(`http://127.0.0.1:${port}`);
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`the API exited (${child.exitCode}): ${output()}`);
        return (await api.get('/health')).status === 200;
      },
      60_000,
      'the API to answer /health',
    );
    const alice = await api.register('Alice');
    const circle = await api.circle(alice, 'After the migration');
    expect((await api.get(`/api/v1/circles/${circle}/checkpoint`)).status).toBe(200);
    expect(await superuser(`SELECT kid FROM instance_key`)).toEqual([{ kid }]);
    expect(output()).not.toMatch(/Migrations applied|Created the instance key/);
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });

  async function tables(): Promise<Array<{ name: string; owner: string }>> {
    return superuser(`SELECT tablename AS name, tableowner AS owner FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`);
  }

  async function superuser<T>(text: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      return (await client.query(text, params)).rows as T[];
    } finally {
      await client.end();
    }
  }
});
