// API_PROCESSES: several HTTP API processes share one port (node:cluster). The first migrates and
// creates the instance key, the others follow; appends from all of them to one circle stay one
// contiguous log; a killed process is replaced; SIGTERM stops them all. Runs dist/main.js.
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { StatementSigner } from '../../src/core/formats/statement-signer';
import { eventually } from '../support/app';
import { ApiClient } from '../support/client';
import { EventStreamClient } from '../support/event-stream';
import { createTestDatabase, TestDatabase } from '../support/database';
import { describeWithServer, testRedisUrl } from '../support/database-urls';

const MAIN = resolve(__dirname, '../../dist/main.js');

describeWithServer('API_PROCESSES=2', () => {
  let db: TestDatabase;
  let child: ChildProcess;
  let output = '';
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const api = new ApiClient(`http://127.0.0.1:${port}`);

  beforeAll(async () => {
    db = await createTestDatabase();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      API_PROCESSES: '2',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: db.url,
      REDIS_URL: testRedisUrl(),
      QUEUE_PREFIX: `c${randomBytes(3).toString('hex')}`,
      INSTANCE_NAME: 'test.archipel.example',
      LOG_LEVEL: 'info',
    };
    child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    await eventually(async () => /2 API processes on one port/.test(output), 60_000, 'two API processes');
  });
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    await db?.drop();
  });

  const workerPids = () => [...output.matchAll(/"pid":(\d+)/g)].map((m) => Number(m[1])).filter((pid) => pid !== child.pid);

  it("streams every circle's entries from whichever process appended them", async () => {
    const alice = await api.register('Alice');
    const bob = await api.register('Bob');
    const circle = await api.circle(alice, 'Watched', { members: [bob] });
    // Several streams: the cluster spreads their connections, and the appends', over both processes.
    const streams = await Promise.all(Array.from({ length: 4 }, () => EventStreamClient.open(`${api.baseUrl}/api/v1/circles/${circle}/events`)));
    try {
      for (const s of streams) await s.waitForComments((c) => c.startsWith(circle), 1, 'the opening comment');
      const appended = await Promise.all(
        Array.from({ length: 20 }, (_, i) => api.act(i % 2 ? alice : bob, 'regime.position', circle, { position: i % 2 ? 'amendment' : 'unanimity' })),
      );
      const last = Math.max(...appended.map((a) => a.seq));
      // Well within the 15 s head check: each entry arrives through the Redis cue of the process that wrote it.
      for (const s of streams) await s.waitFor((e) => e.event === 'entry' && e.data.seq === last, 'the last entry', 5_000);
      for (const s of streams) {
        const seqs = s.entries().map((e) => e.data.seq as number);
        expect(seqs.slice(0, last - seqs[0] + 1)).toEqual(Array.from({ length: last - seqs[0] + 1 }, (_, i) => seqs[0] + i));
        expect(seqs).toEqual(expect.arrayContaining(appended.map((a) => a.seq)));
      }
    } finally {
      await Promise.all(streams.map((s) => s.close()));
    }
  });

  it('refuses a revoked key in every process, whichever one appended the revocation (SPEC §11)', async () => {
    const alice = await api.register('Alice');
    const circle = await api.circle(alice, 'Rotated');
    // Both processes meet her first key (the cluster spreads the connections) and keep it in their index.
    const before = await Promise.all(Array.from({ length: 16 }, () => api.postJws(alice.sign('regime.position', circle, { position: 'amendment' }))));
    expect(before.map((a) => a.status)).toEqual(Array(16).fill(201));
    const laptop = StatementSigner.generate();
    await api.act(alice, 'member.key.add', null, { member: alice.id, jwk: laptop.publicJwk });
    await api.act(laptop, 'member.key.revoke', null, { member: alice.id, key: alice.id });
    const after = await Promise.all(Array.from({ length: 16 }, () => api.postJws(alice.sign('regime.position', circle, { position: 'split' }))));
    expect(after.map((a) => (a.body as { code?: string }).code)).toEqual(Array(16).fill('KEY_REVOKED'));
    const byLaptop = await Promise.all(Array.from({ length: 8 }, () => api.postJws(laptop.sign('regime.position', circle, { position: 'split' }))));
    expect(byLaptop.map((a) => a.status)).toEqual(Array(8).fill(201));
  });

  it('serves one log from both processes, replaces a dead one, and stops on SIGTERM', async () => {
    const alice = await api.register('Alice');
    const members = await Promise.all(['B', 'C', 'D', 'E'].map((n) => api.register(n)));
    const circle = await api.circle(alice, 'Shared', { members });
    // Many concurrent appends over keep-alive connections spread across both processes.
    await Promise.all(
      Array.from({ length: 60 }, (_, i) => api.act(members[i % members.length], 'regime.position', circle, { position: i % 2 ? 'amendment' : 'unanimity' })),
    );
    const log = (await api.get(`/api/v1/circles/${circle}/log`)).text.split('\n').filter(Boolean);
    expect(log.map((line) => (JSON.parse(line) as { seq: number }).seq)).toEqual(log.map((_, i) => i));
    const health = await api.get<{ status: string }>('/health');
    expect(health.body.status).toBe('ok');

    // Kill one API process: the supervisor starts another and the port keeps answering.
    const pids = new Set(workerPids());
    expect(pids.size).toBeGreaterThanOrEqual(1);
    const victim = [...pids][0];
    process.kill(victim, 'SIGKILL');
    await eventually(async () => /exited \(SIGKILL\); starting another/.test(output), 20_000, 'a replacement');
    await eventually(async () => (await api.get<{ status: string }>('/health').catch(() => ({ body: { status: 'down' } }))).body.status === 'ok', 30_000, 'health after the replacement');

    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  }, 120_000);
});
