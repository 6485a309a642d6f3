// Retries and duplicate deliveries never produce a second tally.result: the close runs under the
// circle's lock, checks the proposal is still open, and the database refuses a second result.
import { DataSource } from 'typeorm';
import { formatTimestamp } from '../../src/core/formats/canonical-json';
import { ProposalJobs } from '../../src/proposals/proposal.jobs';
import { ProposalsService } from '../../src/proposals/proposals.service';
import { JobName } from '../../src/queue/job-catalogue';
import { QueueService } from '../../src/queue/queue.service';
import { eventually, startTestApp, TestApp } from '../support/app';
import { ApiClient } from '../support/client';
import { verifyCircles } from '../support/cli';

describe('closing a proposal', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { MIN_PROPOSAL_WINDOW_SECONDS: '1' } }); // API only: no worker races the test
  });
  afterAll(() => t.close());

  /** A proposal of Alice's, alone in a new circle, closing in a minute. */
  const openLater = async (circleName: string): Promise<string> => {
    const api = new ApiClient(t.url);
    const alice = await api.register('Alice');
    const circle = await api.circle(alice, circleName, { regime: 'unanimity' });
    const { id } = await api.act(alice, 'proposal.open', circle, { kind: 'motion', title: 'Later', text: 'x', closesAt: formatTimestamp(Date.now() + 60_000) });
    return id as string;
  };

  it('appends exactly one tally.result, however many closes run at once', async () => {
    const api = new ApiClient(t.url);
    const alice = await api.register('Alice');
    const bob = await api.register('Bob');
    const circle = await api.circle(alice, 'Once', { members: [bob], regime: 'unanimity' });
    const closesAt = Date.now() + 1200;
    const { id } = await api.act(alice, 'proposal.open', circle, { kind: 'motion', title: 'Once', text: 'Only once.', closesAt: formatTimestamp(closesAt) });
    await api.act(alice, 'vote.cast', circle, { proposal: id as string, choice: 'yes' });
    await api.act(bob, 'vote.cast', circle, { proposal: id as string, choice: 'yes' });

    const service = t.app.get(ProposalsService);
    await expect(service.close(id as string)).rejects.toThrow(/closes at/); // not yet due
    await eventually(async () => Date.now() > closesAt, 5000, 'the deadline');
    const results = await Promise.all(Array.from({ length: 5 }, () => service.close(id as string)));
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    expect(await service.close(id as string)).toBeNull();

    const ds = t.app.get(DataSource);
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM log_entry WHERE circle = $1 AND type = 'tally.result'`, [circle]);
    expect(n).toBe(1);
    expect((await api.get<{ result: { outcome: string; totals: object } }>('/api/v1/proposals/' + id)).body.result).toMatchObject({
      outcome: 'adopted',
      totals: { E: 2, Y: 2, N: 0, A: 0, O: 0 },
    });
    // Unanimity, recomputed by the CLI from the log: exactly one tally.
    expect(await verifyCircles(t.url, [circle])).toBe(1);
  });

  it('re-creates the close job of every untallied proposal when a worker starts', async () => {
    const id = await openLater('Recreated');
    const queue = t.app.get(QueueService).queue(JobName.CloseProposal);
    // The outbox dispatched it already; remove it as a Redis restart would.
    await eventually(async () => (await queue.getJob(`tally-${id}`)) ?? undefined, 5000, 'the dispatched job');
    await (await queue.getJob(`tally-${id}`))!.remove();
    expect(await queue.getJob(`tally-${id}`)).toBeUndefined();
    expect(await t.app.get(ProposalJobs).recreate()).toBeGreaterThanOrEqual(1);
    const job = await queue.getJob(`tally-${id}`);
    expect(job?.data).toEqual({ proposal: id });
    expect(job!.delay).toBeGreaterThan(50_000);
  });

  it('asks at the opening for the snapshot of the eligible members, which a small circle does without', async () => {
    const id = await openLater('Small');
    const queue = t.app.get(QueueService).queue(JobName.SnapshotPopulation);
    const job = await eventually(async () => (await queue.getJob(`population-${id}`)) ?? undefined, 5000, 'the snapshot job');
    expect(job.data).toEqual({ proposal: id });
    expect(job.delay ?? 0).toBe(0); // at once, not at the close
    // Run as the worker would: one member is far below POPULATION_SNAPSHOT_MIN, so nothing is kept.
    await t.app.get(ProposalJobs).population({ proposal: id });
    const ds = t.app.get(DataSource);
    expect(await ds.query(`SELECT 1 FROM proposal_population WHERE proposal = $1`, [id])).toHaveLength(0);
  });
});
