// SPEC §8, §9 under a crash in the middle of a decision's flow: the test holds the root log's head
// row (the writer's per-log lock), so a decision's receipts reach depth 2 and its job then waits
// for the root. The worker is SIGKILLed right there. A fresh worker resumes each flow once
// the dead worker's locks lapse: every ancestor ends with exactly one receipt per decision.
// Like faults-worker-killed, it waits about 60 s for BullMQ to hand back the dead worker's jobs.
import { DataSource } from 'typeorm';
import { parseCompact } from '../../src/core/formats/statement';
import { formatTimestamp } from '../../src/core/formats/canonical-json';
import { JobName } from '../../src/queue/job-catalogue';
import { QueueService } from '../../src/queue/queue.service';
import { eventually } from '../support/app';
import { ApiClient } from '../support/client';
import { describeWithServer } from '../support/database-urls';
import { verifyCircles } from '../support/cli';
import { drained, faultSetting, WorkerProcess } from '../support/processes';

describeWithServer('a worker killed in the middle of propagating decisions', () => {
  const setting = faultSetting();
  const { workers } = setting;

  it('resumes every flow where it stopped, one receipt per decision and ancestor', async () => {
    const { t } = setting;
    const api = new ApiClient(t.url);
    const ds = t.app.get(DataSource);
    const alice = await api.register('Alice');
    const root = await api.circle(alice, 'Root', { regime: 'unanimity' });
    const d2 = await api.circle(alice, 'Depth 2', { parent: root, regime: 'unanimity' });
    const d3 = await api.circle(alice, 'Depth 3', { parent: d2, regime: 'unanimity' });
    const leaves = [await api.circle(alice, 'Leaf A', { parent: d3, regime: 'unanimity' }), await api.circle(alice, 'Leaf B', { parent: d3, regime: 'unanimity' })];
    const closesAt = formatTimestamp(Date.now() + 2500);
    const decisions: string[] = [];
    for (let k = 0; k < 6; k++) {
      const leaf = leaves[k % 2];
      const { id } = await api.act(alice, 'proposal.open', leaf, { kind: 'motion', title: `D${k}`, text: 'up', closesAt });
      await api.act(alice, 'vote.cast', leaf, { proposal: id as string, choice: 'yes' });
      decisions.push(id as string);
    }
    const receipts = async (circle: string) =>
      ((await ds.query(`SELECT count(*)::int AS n FROM log_entry WHERE circle = $1 AND type = 'child.decision'`, [circle])) as Array<{ n: number }>)[0].n;

    // Hold the root's lock for as long as the test says.
    const holder = ds.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    await holder.query(`SELECT 1 FROM log_head WHERE circle = $1 FOR UPDATE`, [root]);
    try {
      // One propagate job at a time: the first decision's flow writes depth 3, then depth 2, then
      // waits for the root's lock; the other decisions wait behind it in the queue. (Several flows
      // at once could meet in one writer batch with a root receipt, all of it waiting on the lock.)
      workers.push(await WorkerProcess.start({ env: t.env, extra: { WORKER_CONCURRENCY: '1' } }));
      await eventually(async () => (await receipts(d2)) === 1, 30_000, 'the first receipt at depth 2');
      await workers[0].kill();
    } finally {
      await holder.rollbackTransaction();
      await holder.release();
    }
    // Killed mid-flow: the first decision has reached depth 3 and depth 2, not the root.
    expect([await receipts(d3), await receipts(d2), await receipts(root)]).toEqual([1, 1, 0]);

    workers.push(await WorkerProcess.start({ env: t.env }));
    await eventually(async () => (await receipts(root)) === decisions.length, 100_000, 'every receipt at the root');
    const propagate = t.app.get(QueueService).queue(JobName.PropagateDecision);
    await drained(propagate);
    for (const ancestor of [d3, d2, root]) {
      const lines = (await ds.query(`SELECT line FROM log_entry WHERE circle = $1 AND type = 'child.decision' ORDER BY seq`, [ancestor])) as Array<{ line: string }>;
      const decided = lines.map(({ line }) => (parseCompact((JSON.parse(line) as { jws: string }).jws).payload.body as { proposal: string }).proposal);
      expect([...decided].sort()).toEqual([...decisions].sort());
    }
    expect(await verifyCircles(t.url, [...leaves, d3, d2, root])).toBe(decisions.length);
  }, 150_000);
});
