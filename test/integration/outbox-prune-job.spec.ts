// Completed outbox rows older than OUTBOX_RETENTION_DAYS are deleted by a job the worker runs on a
// schedule; unfinished rows, however old, are never touched (they are what a restart dispatches).
import { DataSource } from 'typeorm';
import { JobName } from '../../src/queue/job-catalogue';
import { OutboxRepository } from '../../src/queue/outbox.repository';
import { QueueService } from '../../src/queue/queue.service';
import { eventually, startTestApp, TestApp } from '../support/app';

describe('the outbox prune job', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ worker: true, env: { OUTBOX_RETENTION_DAYS: '2' } });
  });
  afterAll(() => t.close());

  it('is scheduled by the worker', async () => {
    const schedulers = await eventually(async () => {
      const found = await t.app.get(QueueService).queue(JobName.PruneOutbox).getJobSchedulers();
      return found.length ? found : undefined;
    });
    expect(schedulers).toEqual([expect.objectContaining({ key: 'outbox-prune', every: 3_600_000 })]);
  });

  it('deletes completed rows older than the retention and keeps every unfinished row', async () => {
    const ds = t.app.get(DataSource);
    const tag = `prune-test-${Date.now()}`;
    // [job id, created, dispatched, completed] in days ago (null: not yet)
    const rows: Array<[string, number, number | null, number | null]> = [
      ['old-completed-1', 30, 30, 29],
      ['old-completed-2', 10, 10, 3],
      ['recent-completed', 5, 5, 1],
      // Dispatched, its job not completed: what a worker dispatches again after a Redis restart.
      // (A row never dispatched would be dispatched by the running worker's sweeper at once.)
      ['old-dispatched-unfinished', 40, 40, null],
    ];
    const ago = (days: number | null) => (days === null ? null : new Date(Date.now() - days * 86_400_000).toISOString());
    await ds.query(
      `INSERT INTO job_outbox (name, job_id, payload, run_at, created_at, dispatched_at, completed_at)
       SELECT 'regime.cursor', $1 || '-' || j, '{}'::jsonb, c, c, d, f FROM unnest($2::text[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[]) AS u(j, c, d, f)`,
      [tag, rows.map((r) => r[0]), rows.map((r) => ago(r[1])), rows.map((r) => ago(r[2])), rows.map((r) => ago(r[3]))],
    );
    const left = async () =>
      ((await ds.query(`SELECT job_id FROM job_outbox WHERE job_id LIKE $1 ORDER BY job_id`, [`${tag}-%`])) as Array<{ job_id: string }>).map((r) =>
        r.job_id.slice(tag.length + 1),
      );

    await t.app.get(QueueService).enqueue({ name: JobName.PruneOutbox, payload: {} });
    await eventually(async () => (await left()).length === 2 || undefined, 15_000, 'old completed rows deleted');
    expect(await left()).toEqual(['old-dispatched-unfinished', 'recent-completed']);
  });

  it('goes on batch after batch until nothing old is left', async () => {
    const ds = t.app.get(DataSource);
    // A day and a half old: past a retention of a day and a quarter, within the worker's own (two days), so the
    // worker's scheduled prune running meanwhile cannot take them first.
    const old = new Date(Date.now() - 1.5 * 86_400_000).toISOString();
    await ds.query(
      `INSERT INTO job_outbox (name, job_id, payload, run_at, created_at, dispatched_at, completed_at)
       SELECT 'regime.cursor', 'batch-' || k, '{}'::jsonb, $1, $1, $1, $1 FROM generate_series(1, 5) k`,
      [old],
    );
    expect(await t.app.get(OutboxRepository).pruneCompleted(1.25, 2)).toBe(5);
    expect(await ds.query(`SELECT job_id FROM job_outbox WHERE job_id LIKE 'batch-%'`)).toEqual([]);
    expect(await t.app.get(OutboxRepository).pruneCompleted(1.25, 2)).toBe(0);
  });
});
