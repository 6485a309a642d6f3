// SPEC §5.3: under the amendment regime a motion has an amending phase, then a voting phase;
// adopted amendments are applied in opening order, one that no longer matches is void, and the
// motion is voted on its amended text. Anyone replaying the log recomputes every tally.
import { parseCompact } from '../../src/core/formats/statement';
import { StatementSigner } from '../../src/core/formats/statement-signer';
import { formatTimestamp } from '../../src/core/formats/canonical-json';
import { decodeEntryLine } from '../../src/core/formats/entry';
import { LogReplay } from '../../src/core/verify/replay';
import { eventually, startTestApp, TestApp } from '../support/app';
import { ApiClient } from '../support/client';
import { verifyCircles } from '../support/cli';

describe('a motion under the amendment regime', () => {
  let t: TestApp;
  let api: ApiClient;
  let alice: StatementSigner, bob: StatementSigner, carol: StatementSigner;

  beforeAll(async () => {
    t = await startTestApp({ worker: true, env: { MIN_PROPOSAL_WINDOW_SECONDS: '1' } });
    api = new ApiClient(t.url);
    [alice, bob, carol] = await Promise.all(['Alice', 'Bob', 'Carol'].map((n) => api.register(n)));
  });
  afterAll(() => t.close());

  it('applies adopted amendments in order, voids one that no longer matches, and votes on the amended text', async () => {
    const circle = await api.circle(alice, 'Kitchen', { members: [bob, carol], regime: 'amendment' });
    const { id: motion } = await api.act(alice, 'proposal.open', circle, {
      kind: 'motion',
      title: 'Oven',
      text: 'We buy a red oven for the kitchen.',
      closesAt: formatTimestamp(Date.now() + 5000),
    });
    const opened = (await api.get<{ status: string; amendmentsCloseAt: string }>('/api/v1/proposals/' + motion)).body;
    expect(opened.status).toBe('amending');
    const closesAt = opened.amendmentsCloseAt;
    const amend = (by: StatementSigner, find: string, replace: string) =>
      api.act(by, 'proposal.open', circle, { kind: 'amendment', title: `${find} → ${replace}`, text: '', closesAt, target: motion as string, find, replace });

    const duringAmending = await api.postJws(bob.sign('vote.cast', circle, { proposal: motion as string, choice: 'yes' }));
    expect(duringAmending.body).toMatchObject({ code: 'WRONG_PHASE' });
    for (const [find, code] of [['o', 'AMENDMENT_FIND_MISMATCH'], ['purple', 'AMENDMENT_FIND_MISMATCH']] as const) {
      const refused = await api.postJws(
        bob.sign('proposal.open', circle, { kind: 'amendment', title: 'x', text: '', closesAt, target: motion as string, find, replace: 'y' }),
      );
      expect(refused.body).toMatchObject({ code, field: 'body.find' });
    }
    const wrongClose = await api.postJws(
      bob.sign('proposal.open', circle, { kind: 'amendment', title: 'x', text: '', closesAt: formatTimestamp(Date.now() + 60_000), target: motion as string, find: 'red', replace: 'y' }),
    );
    expect(wrongClose.body).toMatchObject({ code: 'WRONG_PHASE', field: 'body.closesAt' });

    const { id: blue } = await amend(bob, 'red', 'blue');
    const { id: green } = await amend(carol, 'red oven', 'green oven');
    const { id: garden } = await amend(carol, 'kitchen', 'garden');
    for (const id of [blue, green]) await api.act(alice, 'vote.cast', circle, { proposal: id as string, choice: 'yes' });
    await api.act(alice, 'vote.cast', circle, { proposal: garden as string, choice: 'no' });

    // Voting opens when the amending phase ends.
    await eventually(async () => (await api.get<{ status: string }>('/api/v1/proposals/' + motion)).body.status === 'open' || undefined, 20_000, 'the voting phase');
    await eventually(async () => {
      const answer = await api.postJws(bob.sign('vote.cast', circle, { proposal: motion as string, choice: 'yes' }));
      return answer.status === 201 || undefined;
    }, 20_000, 'a vote in the voting phase');
    await api.act(alice, 'vote.cast', circle, { proposal: motion as string, choice: 'yes' });

    const closed = await eventually(async () => {
      const r = await api.get<Record<string, unknown>>('/api/v1/proposals/' + motion);
      return r.body.status === 'closed' ? r.body : undefined;
    }, 30_000, 'the motion tally');
    expect(closed.text).toBe('We buy a blue oven for the kitchen.');
    expect(closed.originalText).toBe('We buy a red oven for the kitchen.');
    expect(closed.amendments).toEqual([
      { id: blue, find: 'red', replace: 'blue', status: 'applied' },
      { id: green, find: 'red oven', replace: 'green oven', status: 'void' },
      { id: garden, find: 'kitchen', replace: 'garden', status: 'rejected' },
    ]);
    expect(closed.result).toMatchObject({ outcome: 'adopted', void: [green], totals: { E: 3, Y: 2, N: 0 } });

    // Replayed from the log alone, every tally (three amendments and the motion) comes out the same.
    const lines = (await api.get(`/api/v1/circles/${circle}/log`)).text.split('\n').filter(Boolean);
    const replay = new LogReplay(circle, [alice, bob, carol].map((m) => ({ id: m.id, name: '', jwk: m.publicJwk })));
    for (const line of lines) {
      const d = decodeEntryLine(line);
      if (!d.ok) throw new Error(d.reason);
      const parsed = parseCompact(d.entry.jws);
      replay.push({ seq: d.entry.seq, recordedAt: d.entry.recordedAt, jws: d.entry.jws, payload: parsed.payload, signer: parsed.header.kid, jwk: parsed.header.jwk });
    }
    expect(replay.tallies).toBe(4);
    // And so does the shipped CLI.
    expect(await verifyCircles(t.url, [circle])).toBe(4);
  });

  it('refuses an amendment against a motion not under the amendment regime', async () => {
    const circle = await api.circle(alice, 'Unanimous', { members: [bob], regime: 'unanimity' });
    const { id: motion } = await api.act(alice, 'proposal.open', circle, {
      kind: 'motion',
      title: 'Plain',
      text: 'A plain motion.',
      closesAt: formatTimestamp(Date.now() + 60_000),
    });
    const refused = await api.postJws(
      bob.sign('proposal.open', circle, { kind: 'amendment', title: 'x', text: '', closesAt: formatTimestamp(Date.now() + 30_000), target: motion as string, find: 'plain', replace: 'fine' }),
    );
    expect(refused.body).toMatchObject({ code: 'NOT_AMENDABLE', field: 'body.target' });
  });
});
