// SPEC §4–§5 end to end: open a motion, vote, delegate (transitively, with a direct vote
// overriding), let the worker close it at its deadline, and read the tally the instance signed.
import { DataSource } from 'typeorm';
import { StatementSigner } from '../../src/core/formats/statement-signer';
import { formatTimestamp } from '../../src/core/formats/canonical-json';
import { decodeEntryLine } from '../../src/core/formats/entry';
import { parseCompact } from '../../src/core/formats/statement';
import { InstanceKeyService } from '../../src/identity/instance-key.service';
import { LogReplay, ReplayEntry } from '../../src/core/verify/replay';
import { eventually, startTestApp, TestApp } from '../support/app';
import { ApiClient } from '../support/client';
import { verifyCircles } from '../support/cli';

describe('a proposal from opening to tally', () => {
  let t: TestApp;
  let api: ApiClient;
  let alice: StatementSigner, bob: StatementSigner, carol: StatementSigner, dan: StatementSigner, erin: StatementSigner, frank: StatementSigner;
  let circle: string;

  beforeAll(async () => {
    // LocalModule: API and workers in one process; proposals may close one second after opening.
    t = await startTestApp({ worker: true, env: { MIN_PROPOSAL_WINDOW_SECONDS: '1' } });
    api = new ApiClient(t.url);
    [alice, bob, carol, dan, erin, frank] = await Promise.all(['Alice', 'Bob', 'Carol', 'Dan', 'Erin', 'Frank'].map((n) => api.register(n)));
    circle = await api.circle(alice, 'Cooperative', { members: [bob, carol, dan, erin], regime: 'amendment' });
  });
  afterAll(() => t.close());

  const open = async (kind: 'motion' | 'regime' | 'membership', extra: Record<string, unknown>, seconds = 3, regimeCircle = circle) =>
    api.act(alice, 'proposal.open', regimeCircle, {
      kind,
      title: `A ${kind}`,
      text: 'We buy a shared oven.',
      closesAt: formatTimestamp(Date.now() + seconds * 1000),
      ...extra,
    } as never);

  it('closes on time with delegated weight, a direct override and an absent member', async () => {
    // A regime proposal avoids the amendment regime's amending phase for motions.
    const opened = await open('regime', { regime: 'unanimity', params: { unanimityQuorum: '1/2' } }, 3);
    const proposal = opened.id as string;
    expect(proposal).toHaveLength(22);
    // frank joins after opening: not eligible.
    await api.act(alice, 'member.invite', circle, { member: frank.id });
    await api.act(frank, 'member.accept', circle, {});

    await api.act(alice, 'vote.cast', circle, { proposal, choice: 'yes' });
    await api.act(bob, 'delegation.set', circle, { to: alice.id, scope: { circle: true } });
    await api.act(carol, 'delegation.set', circle, { to: bob.id, scope: { circle: true } }); // carol → bob → alice
    await api.act(dan, 'delegation.set', circle, { to: alice.id, scope: { proposal } });
    await api.act(dan, 'vote.cast', circle, { proposal, choice: 'no' }); // direct vote overrides
    await api.act(dan, 'vote.cast', circle, { proposal, choice: 'abstain' }); // last vote wins
    // erin does nothing: absent.

    const notEligible = await api.postJws(frank.sign('vote.cast', circle, { proposal, choice: 'yes' }));
    expect(notEligible.body).toMatchObject({ code: 'NOT_ELIGIBLE' });
    const badChoice = await api.postJws(bob.sign('vote.cast', circle, { proposal, choice: 'support' }));
    expect(badChoice.body).toMatchObject({ code: 'CHOICE_NOT_ALLOWED', field: 'body.choice' });

    const graph = await api.get<{ proposal: Record<string, unknown> }>(`/api/v1/circles/${circle}/delegations?proposal=${proposal}`);
    expect(graph.body.proposal).toMatchObject({
      id: proposal,
      E: 5,
      weights: [
        { member: alice.id, weight: 3 },
        { member: dan.id, weight: 1 },
      ],
      lost: 0,
      absent: 1,
      cycles: [],
    });
    const incoming = await api.get<{ incoming: Array<{ member: string; scope: { kind: string } }> }>(`/api/v1/members/${alice.id}/delegations`);
    expect(incoming.body.incoming.map((d) => [d.member, d.scope.kind]).sort()).toEqual([[bob.id, 'circle'], [dan.id, 'proposal']].sort());

    const during = await api.get<Record<string, unknown>>('/api/v1/proposals/' + proposal);
    expect(during.body).toMatchObject({ id: proposal, circle, kind: 'regime', status: 'open', regime: 'amendment', topic: null });
    expect(during.body.provisional).toEqual({ E: 5, Y: 3, N: 0, A: 1, O: 0, lost: 0, absent: 1 });

    const closed = await eventually(async () => {
      const r = await api.get<Record<string, unknown>>('/api/v1/proposals/' + proposal);
      return r.body.status === 'closed' ? r.body : undefined;
    }, 30_000, 'the tally');
    // Amendment regime, kind regime: Y > N and Y+N+A ≥ 0.2·E → adopted.
    expect(closed.result).toMatchObject({
      proposal,
      regime: 'amendment',
      outcome: 'adopted',
      totals: { E: 5, Y: 3, N: 0, A: 1, O: 0 },
      lost: { weight: 0, cycles: [] },
      absent: 1,
    });
    // Its effect: the circle now decides by unanimity, with the new param merged in.
    expect((await api.get<Record<string, unknown>>('/api/v1/circles/' + circle)).body).toMatchObject({
      regime: 'unanimity',
      params: { unanimityQuorum: '1/2' },
    });
    const late = await api.postJws(bob.sign('vote.cast', circle, { proposal, choice: 'no' }));
    expect(late.body).toMatchObject({ code: 'PROPOSAL_CLOSED' });

    // Exactly one tally.result, signed by the instance, in the circle's log.
    const lines = (await api.get(`/api/v1/circles/${circle}/log`)).text.split('\n').filter(Boolean);
    const tallies = lines
      .map((l) => decodeEntryLine(l))
      .filter((d) => d.ok && JSON.parse(Buffer.from(d.entry.jws.split('.')[1], 'base64url').toString()).type === 'tally.result');
    expect(tallies).toHaveLength(1);

    // Anyone can replay the log: every statement decided again, the tally recomputed from it.
    const entries: ReplayEntry[] = lines.map((line) => {
      const d = decodeEntryLine(line);
      if (!d.ok) throw new Error(d.reason);
      const parsed = parseCompact(d.entry.jws);
      return { seq: d.entry.seq, recordedAt: d.entry.recordedAt, jws: d.entry.jws, payload: parsed.payload, signer: parsed.header.kid, jwk: parsed.header.jwk };
    });
    const registry = [alice, bob, carol, dan, erin, frank].map((m) => ({ id: m.id, name: '', jwk: m.publicJwk }));
    const replay = new LogReplay(circle, registry);
    for (const e of entries) replay.push(e);
    expect(replay.tallies).toBe(1);

    // A tally the instance signed with one figure changed is caught, naming the figure.
    const tallyAt = entries.findIndex((e) => e.payload.type === 'tally.result');
    const honest = entries[tallyAt].payload as { body: { totals: { Y: number } } };
    const forgedJws = t.app.get(InstanceKeyService).instance.sign('tally.result', circle, {
      ...honest.body,
      totals: { ...honest.body.totals, Y: honest.body.totals.Y + 1 },
    } as never);
    const forged = { ...entries[tallyAt], jws: forgedJws, payload: parseCompact(forgedJws).payload };
    const again = new LogReplay(circle, registry);
    for (const e of entries.slice(0, tallyAt)) again.push(e);
    expect(() => again.push(forged)).toThrow(/totals\.Y is 4, recomputed 3/);

    // The shipped CLI does the same replay on the live instance.
    expect(await verifyCircles(t.url, [circle])).toBe(1);
  });

  it('refuses what the rules forbid, writing nothing', async () => {
    const ds = t.app.get(DataSource);
    const count = async () => (await ds.query(`SELECT count(*)::int AS n FROM log_entry`))[0].n as number;
    const before = await count();
    const tooSoon = await api.postJws(
      alice.sign('proposal.open', circle, { kind: 'motion', title: 'Hasty', text: 't', closesAt: formatTimestamp(Date.now() + 200) }),
    );
    expect(tooSoon.body).toMatchObject({ code: 'WINDOW_TOO_SHORT', field: 'body.closesAt' });
    const self = await api.postJws(erin.sign('delegation.set', circle, { to: erin.id, scope: { circle: true } }));
    expect(self.body).toMatchObject({ code: 'SELF_DELEGATION' });
    const outsider = await api.register('Outsider');
    const toOutsider = await api.postJws(erin.sign('delegation.set', circle, { to: outsider.id, scope: { circle: true } }));
    expect(toOutsider.body).toMatchObject({ code: 'DELEGATE_NOT_MEMBER' });
    const revokeNothing = await api.postJws(erin.sign('delegation.revoke', circle, { scope: { topic: 'ovens' } }));
    expect(revokeNothing.body).toMatchObject({ code: 'NO_SUCH_DELEGATION' });
    const unknown = await api.postJws(erin.sign('vote.cast', circle, { proposal: 'AAAAAAAAAAAAAAAAAAAAAA', choice: 'yes' }));
    expect(unknown.body).toMatchObject({ code: 'UNKNOWN_PROPOSAL' });
    expect(await count()).toBe(before + 1); // only Outsider's registration (registry log)
  });

  it('asks a reason for an objection under do-ocracy, and removes a member by a membership proposal', async () => {
    const doers = await api.circle(alice, 'Doers', { members: [bob, carol], regime: 'do-ocracy' });
    const { id: motion } = await open('motion', {}, 2, doers);
    expect((await api.get<{ doer: string }>('/api/v1/proposals/' + motion)).body.doer).toBe(alice.id); // the proposer by default
    const noReason = await api.postJws(bob.sign('vote.cast', doers, { proposal: motion as string, choice: 'object' }));
    expect(noReason.body).toMatchObject({ code: 'REASON_REQUIRED' });
    await api.act(bob, 'vote.cast', doers, { proposal: motion as string, choice: 'object', reason: 'Too expensive' });

    const { id: removal } = await open('membership', { member: carol.id }, 2, doers);
    await api.act(alice, 'vote.cast', doers, { proposal: removal as string, choice: 'support' });
    for (const id of [motion, removal]) {
      await eventually(async () => (await api.get<{ status: string }>('/api/v1/proposals/' + id)).body.status === 'closed', 30_000);
    }
    // One objection of 3 with objectionShare 0.1: 0.1·3 < 1, so any objection blocks the motion.
    expect((await api.get<{ result: { outcome: string } }>('/api/v1/proposals/' + motion)).body.result.outcome).toBe('rejected');
    expect((await api.get<{ result: { outcome: string } }>('/api/v1/proposals/' + removal)).body.result.outcome).toBe('adopted');
    expect((await api.get<{ members: string[] }>('/api/v1/circles/' + doers)).body.members.sort()).toEqual([alice.id, bob.id].sort());
    // Do-ocracy's objection rule and the removal, recomputed by the CLI from the log.
    expect(await verifyCircles(t.url, [doers])).toBe(2);
  });
});
