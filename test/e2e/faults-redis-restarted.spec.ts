// SPEC §9 when Redis loses everything: its persistence is off (like the machine's), so a restart
// comes back empty and the delayed close jobs are gone. PostgreSQL keeps what matters: the API
// still answers reads, a statement appended meanwhile keeps its job in the outbox, and a worker
// that starts re-creates the close job of every untallied proposal. Each closes exactly once.
import { DataSource } from 'typeorm';
import { parseCompact } from '../../src/core/formats/statement';
import { formatTimestamp } from '../../src/core/formats/canonical-json';
import { JobName } from '../../src/queue/job-catalogue';
import { QueueService } from '../../src/queue/queue.service';
import { eventually } from '../support/app';
import { ApiClient } from '../support/client';
import { describeWithServer } from '../support/database-urls';
import { countTallies, drained, expectEachTalliedOnce, faultSetting, ProposalRef, WorkerProcess } from '../support/processes';

describeWithServer('Redis restarted empty', () => {
  const setting = faultSetting(); // the API only; workers are started below
  const { workers } = setting;

  it('closes every proposal once: jobs re-created from PostgreSQL, the outbox keeps what was appended meanwhile', async () => {
    const { t, redis } = setting;
    const api = new ApiClient(t.url);
    const ds = t.app.get(DataSource);
    const query = (sql: string, params: unknown[]) => ds.query(sql, params);
    const queue = t.app.get(QueueService).queue(JobName.CloseProposal);

    const circles: string[] = [];
    const pairs: Array<[Awaited<ReturnType<ApiClient['register']>>, Awaited<ReturnType<ApiClient['register']>>]> = [];
    for (let c = 0; c < 3; c++) {
      const [a, b] = await Promise.all([api.register(`A${c}`), api.register(`B${c}`)]);
      circles.push(await api.circle(a, `Restarted ${c}`, { members: [b], regime: 'unanimity' }));
      pairs.push([a, b]);
    }
    const closesAt = Date.now() + 3000;
    const proposals: ProposalRef[] = [];
    for (let c = 0; c < circles.length; c++) {
      const [a, b] = pairs[c];
      for (let k = 0; k < 2; k++) {
        const { id } = await api.act(a, 'proposal.open', circles[c], { kind: 'motion', title: `P${c}.${k}`, text: 'x', closesAt: formatTimestamp(closesAt + k * 100) });
        await api.act(a, 'vote.cast', circles[c], { proposal: id as string, choice: 'yes' });
        await api.act(b, 'vote.cast', circles[c], { proposal: id as string, choice: 'yes' });
        proposals.push({ id: id as string, circle: circles[c] });
      }
    }
    // Each has its delayed close job in Redis (dispatched from the outbox).
    await eventually(
      async () => (await Promise.all(proposals.map(async (p) => (await queue.getJob(`tally-${p.id}`))?.delay))).every((d) => d! > 0),
      10_000,
      'the delayed close jobs',
    );

    await redis.kill();

    // Reads do not need Redis.
    for (const p of proposals) {
      const r = await api.get<{ status: string; provisional: object }>(`/api/v1/proposals/${p.id}`);
      expect(r.status).toBe(200);
      expect(r.body.status).toBe('open');
    }
    expect((await api.get(`/api/v1/circles/${circles[0]}/log`)).status).toBe(200);
    const health = await api.get<{ details: { error: Record<string, { status: string }> } }>('/health');
    expect(health.status).toBe(503);
    expect(health.body.details.error.redis.status).toBe('down');

    // Appending does not need Redis either: the close job waits in the outbox.
    const [a0, b0] = pairs[0];
    const opened = await api.act(a0, 'proposal.open', circles[0], { kind: 'motion', title: 'While down', text: 'y', closesAt: formatTimestamp(Date.now() + 1500) });
    const whileDown = { id: opened.id as string, circle: circles[0] };
    await api.act(a0, 'vote.cast', circles[0], { proposal: whileDown.id, choice: 'yes' });
    await api.act(b0, 'vote.cast', circles[0], { proposal: whileDown.id, choice: 'no' });
    const outboxRow = async () =>
      (await ds.query(`SELECT dispatched_at FROM job_outbox WHERE name = $1 AND payload->>'proposal' = $2`, [JobName.CloseProposal, whileDown.id])) as Array<{
        dispatched_at: Date | null;
      }>;
    expect(await outboxRow()).toEqual([{ dispatched_at: null }]);

    // Back, empty: the delayed jobs are gone.
    await redis.start();
    for (const p of proposals) expect(await queue.getJob(`tally-${p.id}`)).toBeUndefined();
    // The outbox delivers the job of the statement appended while Redis was down.
    await eventually(async () => (await outboxRow())[0].dispatched_at !== null && (await queue.getJob(`tally-${whileDown.id}`)), 15_000, 'the outbox to dispatch');
    expect(await countTallies(query, circles)).toBe(0);

    // A worker starts: it re-creates the lost jobs from PostgreSQL and closes everything once.
    const worker = WorkerProcess.spawn({ env: t.env });
    workers.push(worker);
    await worker.ready();
    expect(worker.output).toMatch(/Re-created close jobs for 7 proposal\(s\)/);
    const all = [...proposals, whileDown];
    await eventually(async () => (await countTallies(query, circles)) === all.length, 30_000, 'every proposal tallied');
    await drained(queue);
    const outcomes = await expectEachTalliedOnce(t.url, all);
    for (const p of proposals) expect(outcomes.get(p.id)).toBe('adopted');
    expect(outcomes.get(whileDown.id)).toBe('rejected');
  }, 60_000);

  // A worker that stays up while Redis restarts empty re-creates the lost jobs when it reconnects
  // (WorkerHost.restore on the connection's 'ready'), as it does at start.
  it('closes proposals whose jobs a Redis restart lost while a worker stayed up', async () => {
    const { t, redis } = setting;
    const api = new ApiClient(t.url);
    const ds = t.app.get(DataSource);
    const query = (sql: string, params: unknown[]) => ds.query(sql, params);
    const queue = t.app.get(QueueService).queue(JobName.CloseProposal);
    expect(workers[0]?.alive).toBe(true); // the worker of the test above, still serving
    const [a, b] = await Promise.all([api.register('A'), api.register('B')]);
    const circle = await api.circle(a, 'Worker stays up', { members: [b], regime: 'unanimity' });
    const { id } = await api.act(a, 'proposal.open', circle, { kind: 'motion', title: 'Stays', text: 'z', closesAt: formatTimestamp(Date.now() + 2500) });
    await eventually(async () => (await queue.getJob(`tally-${id}`))?.delay, 10_000, 'the delayed close job');

    // A marker key shows the restart came back empty; the job itself cannot show it, since the
    // worker may re-create it before this test looks.
    const client = await queue.client;
    await client.set(`${t.env.QUEUE_PREFIX}:restart-marker`, '1');
    const before = workers[0]!.output.length;
    await redis.restart();
    expect(await client.get(`${t.env.QUEUE_PREFIX}:restart-marker`)).toBeNull();
    await eventually(async () => /Re-created close jobs for 1 proposal/.test(workers[0]!.output.slice(before)), 10_000, 'the worker to re-create the close job');
    // It closes 2.5 s after opening; a worker that re-created its job would tally it within seconds.
    await eventually(async () => (await countTallies(query, [circle])) === 1, 10_000, 'the tally after the restart');
    await expectEachTalliedOnce(t.url, [{ id: id as string, circle }]);
  }, 30_000);
});

// Jobs other than closes live only in the outbox and in Redis: a row stays unfinished until its job
// completes, so a worker re-dispatches what an empty restart lost (here a decision's receipt).
describeWithServer('Redis restarted empty with a propagation pending', () => {
  const setting = faultSetting();
  const { workers } = setting;

  it('carries the receipt to the parent after the restart lost its job', async () => {
    const { t, redis } = setting;
    const api = new ApiClient(t.url);
    const ds = t.app.get(DataSource);
    const propagate = t.app.get(QueueService).queue(JobName.PropagateDecision);
    const alice = await api.register('Alice');
    const parent = await api.circle(alice, 'Parent', { regime: 'unanimity' });
    const child = await api.circle(alice, 'Child', { parent, regime: 'unanimity' });
    const { id } = await api.act(alice, 'proposal.open', child, { kind: 'motion', title: 'Pending', text: 'p', closesAt: formatTimestamp(Date.now() + 1500) });
    await api.act(alice, 'vote.cast', child, { proposal: id as string, choice: 'yes' });

    // A worker that only closes proposals: the receipt's job waits in Redis, served by nobody.
    const closer = await WorkerProcess.start({ env: t.env, extra: { WORKER_JOBS: JobName.CloseProposal } });
    workers.push(closer);
    await eventually(async () => (await propagate.getJobCounts('waiting')).waiting === 1, 15_000, 'the receipt job waiting');
    await closer.stop();

    await redis.restart();
    expect(await propagate.getJobCounts('waiting', 'delayed', 'active')).toMatchObject({ waiting: 0, delayed: 0, active: 0 });
    const unfinished = async () =>
      (await ds.query(`SELECT count(*)::int AS n FROM job_outbox WHERE name = $1 AND completed_at IS NULL`, [JobName.PropagateDecision])) as Array<{ n: number }>;
    expect(await unfinished()).toEqual([{ n: 1 }]);
    // The receipt, and the opening's snapshot job (proposal.population), which the closing-only
    // worker did not serve either.
    const [{ n: pending }] = (await ds.query(`SELECT count(*)::int AS n FROM job_outbox WHERE completed_at IS NULL`)) as Array<{ n: number }>;
    expect(pending).toBe(2);

    const worker = await WorkerProcess.start({ env: t.env });
    workers.push(worker);
    expect(worker.output).toMatch(/Dispatching again 2 outbox job/);
    const receipts = async () =>
      (await api.get(`/api/v1/circles/${parent}/log`)).text
        .split('\n')
        .filter((line) => line && parseCompact((JSON.parse(line) as { jws: string }).jws).payload.type === 'child.decision');
    await eventually(async () => (await receipts()).length === 1, 15_000, 'the receipt in the parent');
    await eventually(async () => (await unfinished())[0].n === 0, 10_000, 'the outbox row completed');
    expect(await receipts()).toHaveLength(1);
  }, 60_000);
});
