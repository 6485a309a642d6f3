// SPEC §9: "a crash at any point loses no entry and duplicates none" — the point between a close's
// commit and the job's acknowledgement. The job is then delivered again; it must find the tally
// already there, append nothing, and complete. Two ways of getting there, no hook in src:
//  - the tally was committed by a direct ProposalsService.close while the job still waited;
//  - a consumer took the job, committed the close, then failed it (a handler dying after its
//    write) so that BullMQ retries it with backoff.
// Then a real worker process delivers both jobs.
import { randomUUID } from 'node:crypto';
import { Worker } from 'bullmq';
import { DataSource } from 'typeorm';
import { formatTimestamp } from '../../src/core/formats/canonical-json';
import { ProposalsService } from '../../src/proposals/proposals.service';
import { JobName } from '../../src/queue/job-catalogue';
import { QueueService, redisConnection } from '../../src/queue/queue.service';
import { eventually, startTestApp, TestApp } from '../support/app';
import { ApiClient } from '../support/client';
import { describeWithServer } from '../support/database-urls';
import { countTallies, expectEachTalliedOnce, PrivateRedis, WorkerProcess } from '../support/processes';

describeWithServer('a close that crashed after its write', () => {
  let redis: PrivateRedis;
  let t: TestApp;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    t = await startTestApp({ env: { REDIS_URL: redis.url, MIN_PROPOSAL_WINDOW_SECONDS: '1' } }); // API only
  });
  afterAll(async () => {
    await worker?.kill();
    await t?.close();
    await redis?.dispose();
  });

  it('is delivered again, appends nothing more, and completes', async () => {
    const api = new ApiClient(t.url);
    const ds = t.app.get(DataSource);
    const query = (sql: string, params: unknown[]) => ds.query(sql, params);
    const queue = t.app.get(QueueService).queue(JobName.CloseProposal);
    const service = t.app.get(ProposalsService);

    const [alice, bob] = await Promise.all([api.register('Alice'), api.register('Bob')]);
    const circle = await api.circle(alice, 'Crashes', { members: [bob], regime: 'unanimity' });
    const open = async (title: string, closesAt: number) => {
      const { id } = await api.act(alice, 'proposal.open', circle, { kind: 'motion', title, text: title, closesAt: formatTimestamp(closesAt) });
      await api.act(alice, 'vote.cast', circle, { proposal: id as string, choice: 'yes' });
      await api.act(bob, 'vote.cast', circle, { proposal: id as string, choice: 'yes' });
      return id as string;
    };
    // `failed` closes first, so that the consumer below can only be handed its job.
    const now = Date.now();
    const failed = await open('Failed after commit', now + 1500);
    const direct = await open('Closed directly', now + 4000);
    const jobOf = (id: string) => queue.getJob(`tally-${id}`);
    await eventually(async () => (await jobOf(failed)) && (await jobOf(direct)), 10_000, 'both close jobs');

    // 1. A consumer takes `failed`'s job at its deadline, commits the close, and dies before
    //    acknowledging: the job fails its first attempt after the write.
    const connection = redisConnection(redis.url);
    const consumer = new Worker(JobName.CloseProposal, null, { connection, prefix: t.env.QUEUE_PREFIX, autorun: false });
    try {
      const token = randomUUID();
      const job = await eventually(async () => consumer.getNextJob(token, { block: false }), 10_000, 'the job at its deadline');
      expect(job.id).toBe(`tally-${failed}`);
      expect(await service.close(failed)).not.toBeNull(); // the write
      await job.moveToFailed(new Error('crashed after the commit'), token); // attempt 1 of 12 fails: retried
    } finally {
      await consumer.close();
      await connection.quit();
    }
    expect(await (await jobOf(failed))!.getState()).toBe('delayed'); // retried with backoff
    expect(await countTallies(query, [circle])).toBe(1);

    // 2. `direct` is closed outside the queue after its deadline; its job still waits.
    await eventually(async () => Date.now() > now + 4000, 10_000, 'the second deadline');
    expect(await service.close(direct)).not.toBeNull();
    expect(['waiting', 'delayed', 'prioritized']).toContain(await (await jobOf(direct))!.getState());
    expect(await countTallies(query, [circle])).toBe(2);

    // 3. A real worker delivers both jobs again: nothing is appended, both complete.
    worker = await WorkerProcess.start({ env: t.env });
    await eventually(
      async () => (await (await jobOf(failed))!.getState()) === 'completed' && (await (await jobOf(direct))!.getState()) === 'completed',
      15_000,
      'both jobs to complete',
    );
    expect((await jobOf(failed))!.attemptsMade).toBe(2);
    expect((await jobOf(direct))!.attemptsMade).toBe(1);
    expect(await queue.getJobCounts('failed', 'active', 'waiting', 'delayed')).toMatchObject({ failed: 0, active: 0, waiting: 0, delayed: 0 });
    expect(await countTallies(query, [circle])).toBe(2);
    const outcomes = await expectEachTalliedOnce(t.url, [
      { id: failed, circle },
      { id: direct, circle },
    ]);
    expect([...outcomes.values()]).toEqual(['adopted', 'adopted']);
    // And a further delivery of the same job, now that it completed, is refused by its natural id.
    await t.app.get(QueueService).enqueue({ name: JobName.CloseProposal, payload: { proposal: direct } });
    expect(await (await jobOf(direct))!.getState()).toBe('completed');
    expect(await countTallies(query, [circle])).toBe(2);
  }, 60_000);
});
