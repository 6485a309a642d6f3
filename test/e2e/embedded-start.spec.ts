// `npm start` with no DATABASE_URL: the API serves on an embedded PostgreSQL (PGlite) whose data
// lives under DATA_DIR, and a restart keeps everything. Runs the built service (dist/start.js).
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { formatTimestamp } from '../../src/core/formats/canonical-json';
import { eventually } from '../support/app';
import { ApiClient } from '../support/client';
import { testRedisUrl } from '../support/database-urls';

const START = resolve(__dirname, '../../dist/start.js');

describe('npm start with the embedded defaults', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'archipel-embedded-'));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const api = new ApiClient(`http://127.0.0.1:${port}`);
  let child: ChildProcess | undefined;

  const start = async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: `e${randomBytes(3).toString('hex')}`, LOG_LEVEL: 'warn', MIN_PROPOSAL_WINDOW_SECONDS: '1' };
    delete env.DATABASE_URL;
    delete env.ARCHIPEL_EMBEDDED_DATABASE;
    child = spawn(process.execPath, [START], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    await eventually(async () => (await api.get<{ status: string }>('/health')).body.status === 'ok', 180_000, `the embedded service (${stderr})`);
  };
  const stop = () =>
    new Promise<void>((r) => {
      if (!child || child.exitCode !== null) return r();
      child.once('exit', () => r());
      child.kill('SIGTERM');
    });

  afterAll(async () => {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  // PGlite compiles its WebAssembly at start: slow on a loaded 2-core machine, hence the long wait.
  it('serves /health and /docs, and keeps its data across a restart', async () => {
    expect(existsSync(START)).toBe(true);
    await start();
    const health = await api.get<{ info: Record<string, { status: string }> }>('/health');
    expect(health.body.info.database.status).toBe('up');
    expect((await api.get('/docs')).status).toBe(200);
    const alice = await api.register('Alice');
    const circle = await api.circle(alice, 'Kept', { regime: 'unanimity' });
    const kid = (await api.get<{ kid: string }>('/.well-known/archipel.json')).body.kid;
    expect(existsSync(join(dataDir, 'pgdata'))).toBe(true);
    // The workers run in the same process, on the one connection PGlite has: a proposal closes.
    const { id: motion } = await api.act(alice, 'proposal.open', circle, { kind: 'motion', title: 'Kept', text: 'k', closesAt: formatTimestamp(Date.now() + 2000) });
    await api.act(alice, 'vote.cast', circle, { proposal: motion as string, choice: 'yes' });
    const closed = async () => (await api.get<{ status: string; result?: { outcome: string } }>('/api/v1/proposals/' + motion)).body;
    await eventually(async () => (await closed()).status === 'closed', 60_000, 'the tally on the embedded database');
    expect((await closed()).result?.outcome).toBe('adopted');

    await stop();
    await start();
    expect((await api.get('/api/v1/members/' + alice.id)).body).toMatchObject({ id: alice.id, name: 'Alice' });
    expect((await api.get('/api/v1/circles/' + circle)).body).toMatchObject({ id: circle, members: [alice.id], size: 4 });
    expect((await closed()).result?.outcome).toBe('adopted');
    // The instance key was kept too: never regenerated silently.
    expect((await api.get<{ kid: string }>('/.well-known/archipel.json')).body.kid).toBe(kid);
  }, 600_000);
});
