// SPEC §5.3 end to end, one scenario per regime not covered elsewhere (amendment: its own file;
// forks: forking-a-circle): unanimity with stand-asides and its quorum, do-ocracy with a named doer
// adopted despite an objection under its threshold, and a clear majority under the split regime,
// which adopts instead of forking. Real keys, database and worker; `archipel verify` recomputes
// every tally from the logs.
import { StatementSigner } from '../../src/core/formats/statement-signer';
import type { BodyOf } from '../../src/core/formats/statement-types';
import { formatTimestamp } from '../../src/core/formats/canonical-json';
import { eventually, startTestApp, TestApp } from '../support/app';
import { ApiClient } from '../support/client';
import { verifyCircles } from '../support/cli';

describe('each regime decides as SPEC §5.3 says', () => {
  let t: TestApp;
  let api: ApiClient;
  let alice: StatementSigner, bob: StatementSigner, carol: StatementSigner, dan: StatementSigner;

  beforeAll(async () => {
    t = await startTestApp({ worker: true, env: { MIN_PROPOSAL_WINDOW_SECONDS: '1' } });
    api = new ApiClient(t.url);
    [alice, bob, carol, dan] = await Promise.all(['Alice', 'Bob', 'Carol', 'Dan'].map((n) => api.register(n)));
  });
  afterAll(() => t.close());

  const motion = async (circle: string, title: string, extra: Record<string, unknown> = {}) =>
    (await api.act(alice, 'proposal.open', circle, { kind: 'motion', title, text: title, closesAt: formatTimestamp(Date.now() + 2000), ...extra } as never)).id as string;
  const vote = (who: StatementSigner, circle: string, proposal: string, choice: BodyOf<'vote.cast'>['choice'], reason?: string) =>
    api.act(who, 'vote.cast', circle, { proposal, choice, ...(reason ? { reason } : {}) });
  const result = (proposal: string) =>
    eventually(async () => (await api.get<{ result?: { outcome: string; totals: Record<string, number>; absent: number } }>('/api/v1/proposals/' + proposal)).body.result, 30_000, `the tally of ${proposal}`);

  it('unanimity: stand-asides count toward the quorum, one no rejects, an absent member blocks quorum 1', async () => {
    const circle = await api.circle(alice, 'Bakery', { members: [bob, carol, dan], regime: 'unanimity' });
    const [standAside, oneNo, oneAbsent] = [await motion(circle, 'Rye'), await motion(circle, 'Spelt'), await motion(circle, 'Barley')];
    for (const [who, choice] of [[alice, 'yes'], [bob, 'yes'], [carol, 'abstain'], [dan, 'yes']] as const) await vote(who, circle, standAside, choice);
    for (const [who, choice] of [[alice, 'yes'], [bob, 'yes'], [carol, 'yes'], [dan, 'no']] as const) await vote(who, circle, oneNo, choice);
    for (const [who, choice] of [[alice, 'yes'], [bob, 'yes'], [carol, 'yes']] as const) await vote(who, circle, oneAbsent, choice);
    expect(await result(standAside)).toMatchObject({ outcome: 'adopted', totals: { E: 4, Y: 3, N: 0, A: 1 } });
    expect(await result(oneNo)).toMatchObject({ outcome: 'rejected', totals: { Y: 3, N: 1 } });
    expect(await result(oneAbsent)).toMatchObject({ outcome: 'rejected', totals: { Y: 3 }, absent: 1 });
    expect(await verifyCircles(t.url, [circle])).toBe(3);
  });

  it('do-ocracy: the named doer goes ahead when objections stay under the threshold', async () => {
    // objectionShare 1/3 of 4 members: fewer than 4/3 objections, so one objection does not block.
    const circle = await api.circle(alice, 'Garden', { members: [bob, carol, dan], regime: 'do-ocracy', params: { objectionShare: '1/3' } });
    const proposal = await motion(circle, 'Compost heap', { doer: bob.id });
    expect((await api.get<{ doer: string }>('/api/v1/proposals/' + proposal)).body.doer).toBe(bob.id);
    await vote(alice, circle, proposal, 'support');
    await vote(carol, circle, proposal, 'object', 'It will smell');
    const blocked = await motion(circle, 'Beehives');
    await vote(carol, circle, blocked, 'object', 'Allergies');
    await vote(dan, circle, blocked, 'object', 'Too close to the school');
    expect(await result(proposal)).toMatchObject({ outcome: 'adopted', totals: { E: 4, Y: 1, O: 1 } });
    expect(await result(blocked)).toMatchObject({ outcome: 'rejected', totals: { O: 2 } });
    expect(await verifyCircles(t.url, [circle])).toBe(2);
  });

  it('split regime: a clear majority adopts, and nobody forks', async () => {
    const circle = await api.circle(alice, 'Workshop', { members: [bob, carol, dan], regime: 'split' });
    const proposal = await motion(circle, 'Open on Sundays');
    for (const [who, choice] of [[alice, 'yes'], [bob, 'yes'], [carol, 'yes'], [dan, 'no']] as const) await vote(who, circle, proposal, choice);
    // min(Y, N) = 1 < splitShare·(Y + N) = 4/3: not contested.
    expect(await result(proposal)).toMatchObject({ outcome: 'adopted', totals: { Y: 3, N: 1 } });
    const state = (await api.get<{ children: string[]; members: string[] }>('/api/v1/circles/' + circle)).body;
    expect(state.members).toHaveLength(4);
    expect(await verifyCircles(t.url, [circle])).toBe(1);
  });
});
