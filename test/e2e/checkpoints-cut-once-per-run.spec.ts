// SPEC §9: the `checkpoint.cut` job cuts a signed checkpoint of every log that grew, once a run
// (each run every CHECKPOINT_INTERVAL_SECONDS). Under a steady stream of statements the logs grow
// while the job runs: it must still end, having cut each log at most once, rather than go round the
// busy logs again and again (each checkpoint is a row kept forever, and a request to every witness).
import { randomBytes } from 'node:crypto';
import { StatementSigner } from '../../src/core/formats/statement-signer';
import { CheckpointJobs } from '../../src/ledger/checkpoint.jobs';
import { LedgerService } from '../../src/ledger/ledger.service';
import { startTestApp, TestApp } from '../support/app';
import { ApiClient } from '../support/client';
import { describeWithServer } from '../support/database-urls';

describeWithServer('checkpoint.cut', () => {
  let t: TestApp;
  let api: ApiClient;
  let alice: StatementSigner;
  const circles: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    api = new ApiClient(t.url);
    alice = await api.register('Alice');
    for (let i = 0; i < 4; i++) circles.push(await api.circle(alice, `Busy ${i}`));
  });
  afterAll(() => t.close());

  const invite = async (circle: string) =>
    expect((await api.postJws(alice.sign('member.invite', circle, { member: (await api.register(`N${randomBytes(3).toString('hex')}`)).id }))).status).toBe(201);

  it('cuts each grown log once a run, and ends although the logs grow while it runs', async () => {
    const jobs = t.app.get(CheckpointJobs);
    const ledger = t.app.get(LedgerService);
    await jobs.cutAll(); // whatever the test app's own scheduling left: every log current
    for (const circle of circles) await invite(circle);

    const cutFor = new Map<string, number>();
    const original = ledger.checkpoint.bind(ledger);
    // Statements keep coming: each checkpoint is followed at once by another statement in its log.
    const spy = jest.spyOn(ledger, 'checkpoint').mockImplementation(async (circle: string) => {
      const note = await original(circle);
      cutFor.set(circle, (cutFor.get(circle) ?? 0) + 1);
      if (circles.includes(circle) && (cutFor.get(circle) ?? 0) < 5) await invite(circle);
      return note;
    });
    try {
      const cut = await jobs.cutAll();
      for (const circle of circles) expect(cutFor.get(circle)).toBe(1);
      expect([...cutFor.values()].every((n) => n === 1)).toBe(true);
      expect(cut).toBe(cutFor.size);
      // The next run cuts them again, since they grew: once each.
      cutFor.clear();
      await jobs.cutAll();
      for (const circle of circles) expect(cutFor.get(circle)).toBe(1);
    } finally {
      spy.mockRestore();
    }
    // Once current, with nothing new, a run cuts nothing.
    // What grew during the last run: the four circles, and the registry if it came before some of them.
    expect([circles.length, circles.length + 1]).toContain(await jobs.cutAll());
    expect(await jobs.cutAll()).toBe(0);
  });
});
