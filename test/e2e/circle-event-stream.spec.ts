// GET /circles/:id/events: an `entry` event for every new entry of the circle's log, whichever
// process appended it (this API process, or a worker process closing a proposal), a `tally` event
// when a vote moves a provisional tally, resuming after Last-Event-ID, and keep-alive comments.
import { StatementSigner } from '../../src/core/formats/statement-signer';
import { formatTimestamp } from '../../src/core/formats/canonical-json';
import { eventually, startTestApp, TestApp } from '../support/app';
import { ApiClient } from '../support/client';
import { describeWithServer } from '../support/database-urls';
import { EventStreamClient } from '../support/event-stream';
import { WorkerProcess } from '../support/processes';

describeWithServer('the event stream of a circle', () => {
  let t: TestApp;
  let api: ApiClient;
  let worker: WorkerProcess;
  let alice: StatementSigner, bob: StatementSigner, carol: StatementSigner;
  let circle: string;
  const streams: EventStreamClient[] = [];
  const open = async (query = '', headers: Record<string, string> = {}) => {
    const stream = await EventStreamClient.open(`${t.url}/api/v1/circles/${circle}/events${query}`, headers);
    streams.push(stream);
    // The stream is live once its opening comment has arrived.
    if (stream.response.ok) await stream.waitForComments((c) => c.startsWith(circle), 1, 'the opening comment');
    return stream;
  };

  beforeAll(async () => {
    // The API alone in this process; proposals are closed by a worker in another process.
    t = await startTestApp({ env: { EVENTS_KEEP_ALIVE_SECONDS: '0.3' } });
    api = new ApiClient(t.url);
    worker = await WorkerProcess.start({ env: t.env });
    [alice, bob, carol] = await Promise.all(['Alice', 'Bob', 'Carol'].map((n) => api.register(n)));
    circle = await api.circle(alice, 'Garden', { members: [bob, carol], regime: 'unanimity' });
  });
  afterAll(async () => {
    await Promise.all(streams.map((s) => s.close()));
    await worker?.stop();
    await t?.close();
  });

  it('sends an entry event for an entry another request appends, with its seq as id', async () => {
    const stream = await open();
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const { seq, leaf } = await api.act(alice, 'member.invite', circle, { member: (await api.register('Dan')).id });
    const event = await stream.waitFor((e) => e.event === 'entry' && e.data.seq === seq, 'the invite entry');
    expect(event).toEqual({ event: 'entry', id: String(seq), data: { circle, seq, type: 'member.invite', leaf, recordedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) } });
    // Only new entries: nothing from before the stream opened.
    expect(stream.entries().map((e) => e.data.seq)).toEqual([seq]);
  });

  it('sends a tally event when a vote moves the provisional tally, and the tally.result a worker process appends', async () => {
    const stream = await open();
    const { id, seq: opened } = await api.act(alice, 'proposal.open', circle, { kind: 'motion', title: 'Benches', text: 'Two benches.', closesAt: formatTimestamp(Date.now() + 1500) });
    const vote = await api.act(bob, 'vote.cast', circle, { proposal: id as string, choice: 'yes' });
    const tally = await stream.waitFor((e) => e.event === 'tally' && e.data.proposal === id && (e.data.provisional as { Y: number }).Y === 1, 'the tally event');
    expect(tally.data).toEqual({ proposal: id, provisional: { E: 3, Y: 1, N: 0, A: 0, O: 0, lost: 0, absent: 2 } });
    expect(tally.id).toBeUndefined();
    // Appended by the worker, in another process: it reaches this process's stream through the
    // Redis cue (well before the 15 s check of the log head that would catch a lost cue).
    const result = await stream.waitFor((e) => e.event === 'entry' && e.data.type === 'tally.result', 'the tally.result entry', 10_000);
    const seqs = stream.entries().map((e) => e.data.seq as number);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(seqs.slice(0, 2)).toEqual([opened, vote.seq]);
    expect(seqs).toContain(result.data.seq);
    expect(await api.get(`/api/v1/proposals/${id}`)).toMatchObject({ body: { status: 'closed' } });
  });

  it('sends a tally event when a delegation or its revocation moves an open tally', async () => {
    const stream = await open();
    const { id } = await api.act(alice, 'proposal.open', circle, { kind: 'motion', title: 'Shed', text: 'A shed.', closesAt: formatTimestamp(Date.now() + 3_600_000) });
    type Provisional = { Y: number; absent: number };
    const tallyWith = (y: number, absent: number) =>
      stream.waitFor((e) => e.event === 'tally' && e.data.proposal === id && (e.data.provisional as Provisional).Y === y && (e.data.provisional as Provisional).absent === absent, `Y=${y}, absent=${absent}`);
    await api.act(bob, 'vote.cast', circle, { proposal: id as string, choice: 'yes' });
    await tallyWith(1, 2);
    await api.act(carol, 'delegation.set', circle, { to: bob.id, scope: { circle: true } });
    await tallyWith(2, 1);
    await api.act(carol, 'delegation.revoke', circle, { scope: { circle: true } });
    const events = () => stream.events.filter((e) => e.event === 'tally' && e.data.proposal === id);
    await eventually(async () => events().length >= 3, 15_000, 'the tally after the revocation');
    expect(events().map((e) => [(e.data.provisional as Provisional).Y, (e.data.provisional as Provisional).absent])).toEqual([
      [1, 2],
      [2, 1],
      [1, 2],
    ]);
  });

  it('resumes after Last-Event-ID (or `after`) with the entries it missed, in order, then live ones', async () => {
    const invite = async () => api.act(alice, 'member.invite', circle, { member: (await api.register('Guest')).id });
    const first = await open();
    const a = await invite();
    await first.waitFor((e) => e.data.seq === a.seq, 'entry a');
    await first.close();
    const b = await invite();
    const c = await invite();
    const resumed = await open('', { 'Last-Event-ID': String(a.seq) });
    await resumed.waitFor((e) => e.data.seq === c.seq, 'the missed entries');
    const d = await invite();
    await resumed.waitFor((e) => e.data.seq === d.seq, 'a live entry after the resume');
    // Every entry after a, once each, in order: the missed ones first, then the live one.
    const seqs = resumed.entries().map((e) => e.data.seq as number);
    expect(seqs).toEqual([b.seq, c.seq, d.seq]);
    expect(resumed.entries().map((e) => e.id)).toEqual(seqs.map(String));
    const fromQuery = await open(`?after=${b.seq}`);
    await fromQuery.waitFor((e) => e.data.seq === d.seq, 'the entries after b');
    expect(fromQuery.entries().map((e) => e.data.seq)).toEqual([c.seq, d.seq]);
  });

  it('keeps an idle stream open with comment lines', async () => {
    const stream = await open();
    await stream.waitForComments((c) => c === 'keep-alive', 2, 'two keep-alive comments', 5_000);
  });

  it('refuses an unknown circle and a bad Last-Event-ID with a JSON error', async () => {
    const unknown = await fetch(`${t.url}/api/v1/circles/AAAAAAAAAAAAAAAAAAAAAA/events`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'UNKNOWN_CIRCLE' });
    const bad = await fetch(`${t.url}/api/v1/circles/${circle}/events`, { headers: { 'Last-Event-ID': 'yesterday' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'INVALID_REQUEST', field: 'Last-Event-ID' });
  });
});
