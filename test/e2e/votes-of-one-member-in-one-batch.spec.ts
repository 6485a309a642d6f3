// A member's votes on one proposal, sent together, land in one writer batch: the batch commits as
// one (no "retrying one by one"), and her last vote in the log is the one that counts. Found by the
// fuzz campaign: one INSERT … ON CONFLICT may not touch the same vote row twice.
import { Logger } from '@nestjs/common';
import { formatTimestamp } from '../../src/core/formats/canonical-json';
import { startTestApp, TestApp } from '../support/app';
import { ApiClient } from '../support/client';

describe("a member's votes on one proposal in one batch", () => {
  let t: TestApp;
  let api: ApiClient;
  beforeAll(async () => {
    t = await startTestApp();
    api = new ApiClient(t.url);
  });
  afterAll(() => t?.close());

  it('commit together, and her last vote in the log is the one recorded', async () => {
    const alice = await api.register('Alice');
    const bob = await api.register('Bob');
    const circle = await api.circle(alice, 'Batch', { regime: 'unanimity', members: [bob] });
    const { id: proposal } = await api.act(alice, 'proposal.open', circle, { kind: 'motion', title: 'B', text: 'b', closesAt: formatTimestamp(Date.now() + 3_600_000) });
    const warn = jest.spyOn(Logger.prototype, 'warn');
    const choices = ['yes', 'no', 'abstain', 'no', 'yes', 'abstain', 'no', 'yes'] as const;
    const answers = await Promise.all(
      choices.flatMap((choice) => [alice, bob].map((m) => api.postJws(m.sign('vote.cast', circle, { proposal: proposal as string, choice })))),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
    expect(warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('retrying one by one'))).toEqual([]);
    warn.mockRestore();
    // The vote each member cast last in the log is the one the proposal shows.
    const log = (await (await fetch(`${t.url}/api/v1/circles/${circle}/log`)).text()).trim().split('\n').map((l) => JSON.parse(l) as { jws: string });
    const last = new Map<string, string>();
    for (const { jws } of log) {
      const [h, p] = jws.split('.').slice(0, 2).map((s) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Record<string, unknown>);
      if (p.type === 'vote.cast') last.set(h.kid as string, (p.body as { choice: string }).choice);
    }
    const weights = await Promise.all(
      [alice, bob].map(async (m) => (await api.get<{ cast: string; choice?: string }>(`/api/v1/proposals/${proposal}/weights/${m.id}`)).body),
    );
    expect(weights).toEqual([alice, bob].map((m) => expect.objectContaining({ cast: 'direct', choice: last.get(m.id) })));
  });
});
