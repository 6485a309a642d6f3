// SPEC §9 under a crash: a worker process SIGKILLed while it closes proposals (some close jobs
// active, perhaps mid-transaction), then a fresh worker. Every proposal ends with exactly one
// tally.result: the killed transactions rolled back, the jobs it held come back (BullMQ's stalled
// check, after the dead worker's lock expires) and a close that had committed is not repeated.
// This file takes about 75 s: a job held by a dead worker returns only after BullMQ's lock
// (lockDuration, 30 s) lapses and two stalled checks (stalledInterval, 30 s) pass; WorkerHost uses
// BullMQ's defaults and offers no setting to shorten them, and this test does not fake them.
import { DataSource } from 'typeorm';
import { StatementSigner } from '../../src/core/formats/statement-signer';
import { formatTimestamp } from '../../src/core/formats/canonical-json';
import { JobName } from '../../src/queue/job-catalogue';
import { QueueService } from '../../src/queue/queue.service';
import { eventually } from '../support/app';
import { ApiClient } from '../support/client';
import { describeWithServer } from '../support/database-urls';
import { countTallies, drained, expectEachTalliedOnce, faultSetting, ProposalRef, WorkerProcess } from '../support/processes';

const CIRCLES = 4;
const WAVES = 5; // one proposal per circle per wave: 20 proposals

describeWithServer('a worker killed while closing proposals', () => {
  // The API alone, in this process; the workers are child processes on the same private Redis.
  const setting = faultSetting();
  const { workers } = setting;

  it('leaves every proposal tallied exactly once after a SIGKILL and a fresh worker', async () => {
    const { t } = setting;
    const api = new ApiClient(t.url);
    const ds = t.app.get(DataSource);
    const queue = t.app.get(QueueService).queue(JobName.CloseProposal);
    const workerEnv = { env: t.env };
    workers.push(WorkerProcess.spawn(workerEnv)); // boots while the circles are made

    const members: StatementSigner[][] = [];
    const circles: string[] = [];
    for (let c = 0; c < CIRCLES; c++) {
      const [a, b, d] = await Promise.all(['A', 'B', 'C'].map((n) => api.register(`${n}${c}`)));
      circles.push(await api.circle(a, `Killed ${c}`, { members: [b, d], regime: 'unanimity' }));
      members.push([a, b, d]);
    }

    // Waves 700 ms apart; within a wave, one proposal per circle closes at the same instant, so
    // that the kill finds several closes in flight.
    const start = Date.now() + 5000;
    const proposals: ProposalRef[] = [];
    for (let w = 0; w < WAVES; w++) {
      const wave = await Promise.all(
        circles.map(async (circle, c) => {
          const [a, b, d] = members[c];
          const { id } = await api.act(a, 'proposal.open', circle, { kind: 'motion', title: `W${w}`, text: `wave ${w}`, closesAt: formatTimestamp(start + w * 700) });
          // Unanimity: all three yes adopts; one no rejects.
          for (const [m, choice] of [[a, 'yes'], [b, 'yes'], [d, (w + c) % 2 ? 'no' : 'yes']] as const) {
            await api.act(m, 'vote.cast', circle, { proposal: id as string, choice });
          }
          return { id: id as string, circle };
        }),
      );
      proposals.push(...wave);
    }
    await workers[0].ready();

    // Kill the worker the moment the first tally is committed.
    const query = (sql: string, params: unknown[]) => ds.query(sql, params);
    for (;;) {
      if ((await countTallies(query, circles)) > 0) break;
      if (Date.now() > start + 20_000) throw new Error(`no tally appeared:\n${workers[0].output.slice(-3000)}`);
      await new Promise((r) => setImmediate(r));
    }
    await workers[0].kill();
    const atKill = await countTallies(query, circles);
    expect(atKill).toBeLessThan(proposals.length); // killed while closing, not after

    // The jobs the dead worker held stay active (locked) until its locks lapse; none failed.
    const counts = await queue.getJobCounts('active', 'waiting', 'delayed', 'completed', 'failed');
    expect(counts.failed).toBe(0);

    // A fresh worker: the jobs the dead one held come back once its locks lapse (stalled check).
    workers.push(await WorkerProcess.start(workerEnv));
    await eventually(async () => (await countTallies(query, circles)) === proposals.length, 100_000, 'every proposal tallied');
    // Nothing left to run that could append a second tally. A job whose tally the dead worker had
    // committed before it died is not needed for "every proposal tallied", but it stays active until
    // its lock lapses (30 s) and a stalled check (every 30 s) hands it to the fresh worker, which
    // finds nothing due: up to a minute after the kill.
    await drained(queue, 'the proposal.close queue to drain, stalled jobs included', 75_000);
    const outcomes = await expectEachTalliedOnce(t.url, proposals);
    // The tallies are right, not merely present.
    proposals.forEach((p, i) => expect(outcomes.get(p.id)).toBe((Math.floor(i / CIRCLES) + (i % CIRCLES)) % 2 ? 'rejected' : 'adopted'));
    expect(await countTallies(query, circles)).toBe(proposals.length);
    for (const p of proposals) expect((await queue.getJob(`tally-${p.id}`))?.finishedOn).toBeDefined();
  }, 150_000);
});
