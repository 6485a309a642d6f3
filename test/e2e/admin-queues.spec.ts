// The queue dashboard (Bull Board) at /admin/queues: behind basic auth when ADMIN_PASSWORD is set,
// absent (404) when it is not.
import { UnrecoverableError, Worker } from 'bullmq';
import { ALL_JOB_NAMES, JobName } from '../../src/queue/job-catalogue';
import { QueueService, redisConnection } from '../../src/queue/queue.service';
import { eventually, startTestApp, TestApp } from '../support/app';

const USER = 'operator';
const PASSWORD = 'correct horse battery';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

interface BoardQueues {
  queues: Array<{ name: string; counts: Record<string, number>; jobs: Array<{ id: string; failedReason?: string }> }>;
}

describe('the queue dashboard with ADMIN_PASSWORD set', () => {
  let t: TestApp;
  const get = (path: string, authorization?: string) =>
    fetch(`${t.url}${path}`, { headers: authorization ? { authorization } : {} });

  beforeAll(async () => {
    t = await startTestApp({ env: { ADMIN_USER: USER, ADMIN_PASSWORD: PASSWORD } });
  });
  afterAll(async () => {
    await t.close();
    delete process.env.ADMIN_USER;
    delete process.env.ADMIN_PASSWORD;
  });

  it('refuses requests without credentials, asking for basic auth', async () => {
    for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
      const res = await get(path);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="Archipel queues"/);
      expect(res.headers.get('x-request-id')).toBeTruthy();
      expect(await res.json()).toMatchObject({ code: 'UNAUTHORIZED', requestId: res.headers.get('x-request-id') });
    }
  });

  it('refuses a wrong password, a wrong user and a malformed header', async () => {
    for (const authorization of [basic(USER, 'wrong password'), basic('admin', PASSWORD), basic(USER, `${PASSWORD}x`), 'Basic !!!', 'Bearer abc']) {
      const res = await get('/admin/queues', authorization);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
      await res.arrayBuffer();
    }
  });

  it('serves the board to the right credentials, static assets included', async () => {
    const res = await get('/admin/queues', basic(USER, PASSWORD));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('<base href="/admin/queues/"');
    const script = /src="(static\/js\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = `/admin/queues/${script}`;
    expect((await get(asset)).status).toBe(401);
    const assetRes = await get(asset, basic(USER, PASSWORD));
    expect(assetRes.status).toBe(200);
    await assetRes.arrayBuffer();
  });

  it('lists every queue of the job catalogue', async () => {
    const res = await get('/admin/queues/api/queues', basic(USER, PASSWORD));
    expect(res.status).toBe(200);
    const board = (await res.json()) as BoardQueues;
    expect(board.queues.map((q) => q.name).sort()).toEqual([...ALL_JOB_NAMES].sort());
  });

  it('keeps failed jobs visible', async () => {
    const queues = t.app.get(QueueService);
    await queues.enqueue({ name: JobName.CloseProposal, payload: { proposal: 'doomed' } });
    const connection = redisConnection(t.env.REDIS_URL);
    const worker = new Worker(
      JobName.CloseProposal,
      async () => {
        throw new UnrecoverableError('deliberate failure');
      },
      { connection, prefix: t.env.QUEUE_PREFIX },
    );
    try {
      const failed = await eventually(async () => {
        const res = await get(`/admin/queues/api/queues?activeQueue=${JobName.CloseProposal}&status=failed&page=1`, basic(USER, PASSWORD));
        const board = (await res.json()) as BoardQueues;
        const queue = board.queues.find((q) => q.name === JobName.CloseProposal);
        return queue?.jobs.find((j) => j.id === 'tally-doomed');
      }, 15_000, 'the failed job on the board');
      expect(failed.failedReason).toBe('deliberate failure');
    } finally {
      await worker.close();
      await connection.quit();
    }
  });
});

describe('the queue dashboard without ADMIN_PASSWORD', () => {
  let t: TestApp;

  beforeAll(async () => {
    delete process.env.ADMIN_PASSWORD;
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('does not exist: 404 with the standard error body', async () => {
    for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
      const res = await fetch(`${t.url}${path}`, { headers: { authorization: basic('admin', 'anything-at-all') } });
      expect(res.status).toBe(404);
      expect(res.headers.get('www-authenticate')).toBeNull();
      expect(await res.json()).toMatchObject({ code: 'NOT_FOUND', requestId: res.headers.get('x-request-id') });
    }
  });
});
