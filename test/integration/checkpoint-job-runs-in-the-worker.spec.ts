// A BullMQ job enqueued on the real Redis and processed by the worker module against the real
// PostgreSQL: the checkpoint cutter signs a checkpoint for every log that grew.
import { DataSource } from 'typeorm';
import { JobName } from '../../src/queue/job-catalogue';
import { QueueService } from '../../src/queue/queue.service';
import { openNote, parseCheckpoint } from '../../src/core/formats/signed-note';
import { InstanceKeyService } from '../../src/identity/instance-key.service';
import { eventually, startTestApp, TestApp } from '../support/app';
import { ApiClient } from '../support/client';

describe('the worker module', () => {
  let t: TestApp;

  beforeAll(async () => {
    // LocalModule: the API and the workers in one process, as `npm start` runs them.
    t = await startTestApp({ worker: true, env: { CHECKPOINT_INTERVAL_SECONDS: '3600' } });
  });
  afterAll(() => t.close());

  it('processes an enqueued checkpoint job and signs checkpoints of the logs that grew', async () => {
    const api = new ApiClient(t.url);
    const alice = await api.register('Alice');
    const circle = await api.circle(alice, 'Checkpointed');
    const ds = t.app.get(DataSource);
    const count = async () => (await ds.query(`SELECT count(*)::int AS n FROM checkpoint WHERE circle = $1`, [circle]))[0].n as number;
    expect(await count()).toBe(0);

    await t.app.get(QueueService).enqueue({ name: JobName.CutCheckpoints, payload: {} });
    await eventually(async () => (await count()) > 0, 15_000, 'a checkpoint cut by the worker');

    const [{ note }] = await ds.query(`SELECT note FROM checkpoint WHERE circle = $1`, [circle]);
    const key = t.app.get(InstanceKeyService);
    const opened = openNote(note, key.noteKey);
    if (!opened.ok) throw new Error(opened.reason);
    expect(parseCheckpoint(opened.text)).toMatchObject({ origin: `test.archipel.example/circles/${circle}`, size: 1 });
    const job = await eventually(async () => {
      const jobs = await t.app.get(QueueService).queue(JobName.CutCheckpoints).getJobs(['completed']);
      return jobs.length ? jobs[0] : undefined;
    });
    expect(job.finishedOn).toBeGreaterThan(0);
  });
});
