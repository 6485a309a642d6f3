// The read routes the web app and the CLI find things with (docs/api.md): a member's circles and
// pending invitations, the circles of the instance, a circle's proposals (filters, newest first,
// cursor paging), the circles forked out of one, a decision's receipts up to the root, and how one
// member's weight was cast. Driven over HTTP against the real PostgreSQL, Redis and worker.
import { StatementSigner } from '../../src/core/formats/statement-signer';
import { formatTimestamp } from '../../src/core/formats/canonical-json';
import type { z } from 'zod';
import { circleAnswer, circleListAnswer, forksAnswer, invitationsAnswer, memberAnswer, memberCirclesAnswer } from '../../src/circles/dto/circle.answers';
import { circleDelegationsAnswer, memberDelegationsAnswer } from '../../src/delegations/dto/delegation.answers';
import { healthAnswer } from '../../src/health/dto/health.answers';
import { instanceAnswer } from '../../src/identity/dto/instance.answers';
import { consistencyProofAnswer, inclusionProofAnswer } from '../../src/ledger/dto/proof.answers';
import { proposalAnswer, proposalPageAnswer, receiptsAnswer, weightAnswer } from '../../src/proposals/dto/proposal.answers';
import { eventually, startTestApp, TestApp } from '../support/app';
import { ApiClient } from '../support/client';

type Item = Record<string, unknown>;
const inAnHour = () => formatTimestamp(Date.now() + 3_600_000);
/** The answer is exactly what its OpenAPI schema says: parsing it (which drops unknown members) changes nothing. */
const conforms = (schema: z.ZodType, body: unknown) => expect(schema.parse(body)).toEqual(body);

describe('read routes', () => {
  let t: TestApp;
  let api: ApiClient;
  let alice: StatementSigner, bob: StatementSigner, carol: StatementSigner, dan: StatementSigner;
  let erin: StatementSigner, frank: StatementSigner, gina: StatementSigner;
  let root: string, garden: string, orchard: string, hive: string;

  beforeAll(async () => {
    t = await startTestApp({ worker: true });
    api = new ApiClient(t.url);
    [alice, bob, carol, dan, erin, frank, gina] = await Promise.all(['Alice', 'Bob', 'Carol', 'Dan', 'Erin', 'Frank', 'Gina'].map((n) => api.register(n)));
    root = await api.circle(alice, 'Commons', { regime: 'amendment' });
    garden = await api.circle(alice, 'Garden', { parent: root, members: [bob, carol], regime: 'amendment' });
    orchard = await api.circle(alice, 'Orchard', { parent: garden, members: [bob, carol, erin, frank, gina], regime: 'do-ocracy' });
  });
  afterAll(() => t.close());

  describe("a member's circles and invitations", () => {
    it('lists the circles she is a current member of, by name, and not those she left', async () => {
      const mine = await api.get<{ items: Item[] }>(`/api/v1/members/${alice.id}/circles`);
      expect(mine.status).toBe(200);
      expect(mine.body.items.map((c) => c.name)).toEqual(['Commons', 'Garden', 'Orchard']);
      conforms(memberCirclesAnswer, mine.body);
      expect(mine.body.items[1]).toEqual({ id: garden, name: 'Garden', parent: root, regime: 'amendment', size: expect.any(Number) });
      hive = await api.circle(gina, 'Hive', { regime: 'unanimity' });
      await api.act(gina, 'member.invite', hive, { member: dan.id });
      await api.act(dan, 'member.accept', hive, {});
      await api.act(dan, 'member.leave', hive, {});
      expect((await api.get<{ items: Item[] }>(`/api/v1/members/${dan.id}/circles`)).body.items).toEqual([]);
      expect((await api.get<{ items: Item[] }>(`/api/v1/members/${gina.id}/circles`)).body.items.map((c) => c.name)).toEqual(['Hive', 'Orchard']);
    });

    it('lists invitations she has not accepted, in circles she is not in', async () => {
      const invite = await api.act(alice, 'member.invite', garden, { member: dan.id });
      await api.act(alice, 'member.invite', root, { member: dan.id });
      const pending = await api.get<{ items: Item[] }>(`/api/v1/members/${dan.id}/invitations`);
      expect(pending.status).toBe(200);
      expect(pending.body.items).toHaveLength(2);
      conforms(invitationsAnswer, pending.body);
      expect(pending.body.items).toContainEqual({ circle: garden, circleName: 'Garden', invitedBy: alice.id, seq: invite.seq, recordedAt: expect.stringMatching(/Z$/) });
      await api.act(dan, 'member.accept', root, {});
      const after = await api.get<{ items: Item[] }>(`/api/v1/members/${dan.id}/invitations`);
      expect(after.body.items.map((i) => i.circle)).toEqual([garden]);
      expect((await api.get<{ items: Item[] }>(`/api/v1/members/${bob.id}/invitations`)).body.items).toEqual([]);
    });

    it('answers 404 UNKNOWN_MEMBER for an unknown or malformed member id', async () => {
      const unknown = StatementSigner.generate().id;
      for (const path of [`/api/v1/members/${unknown}/circles`, `/api/v1/members/${unknown}/invitations`, '/api/v1/members/nope/circles']) {
        const answer = await api.get(path);
        expect(answer.status).toBe(404);
        expect(answer.body).toMatchObject({ code: 'UNKNOWN_MEMBER', message: expect.any(String) });
      }
    });
  });

  describe('the circles of the instance', () => {
    it('lists all circles, the roots, or the children of one, with their children', async () => {
      const all = await api.get<{ items: Item[] }>('/api/v1/circles');
      expect(all.status).toBe(200);
      conforms(circleListAnswer, all.body);
      expect(all.body.items.map((c) => c.name)).toEqual(expect.arrayContaining(['Commons', 'Garden', 'Orchard', 'Hive']));
      const roots = await api.get<{ items: Item[] }>('/api/v1/circles?parent=root');
      // This file's roots, in the list's order (on the embedded database, other files' circles are there too).
      const mine = roots.body.items.filter((c) => [root, hive, garden, orchard].includes(c.id as string));
      expect(mine.map((c) => c.name)).toEqual(['Commons', 'Hive']);
      expect(mine[0]).toEqual({ id: root, name: 'Commons', parent: null, regime: 'amendment', size: expect.any(Number), children: [garden], forkedFrom: null });
      const children = await api.get<{ items: Item[] }>(`/api/v1/circles?parent=${garden}`);
      expect(children.body.items.map((c) => c.id)).toEqual([orchard]);
    });

    it('answers 404 UNKNOWN_CIRCLE for an unknown parent', async () => {
      const answer = await api.get('/api/v1/circles?parent=AAAAAAAAAAAAAAAAAAAAAA');
      expect(answer.status).toBe(404);
      expect(answer.body).toMatchObject({ code: 'UNKNOWN_CIRCLE', field: 'parent' });
    });
  });

  describe("a circle's proposals", () => {
    const open = (signer: StatementSigner, circle: string, body: Record<string, unknown>) =>
      api.act(signer, 'proposal.open', circle, { text: 'Text.', closesAt: inAnHour(), ...body } as never).then((r) => r.id as string);

    it('pages newest first with a stable cursor, while new proposals arrive', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(await open(bob, garden, { kind: 'motion', title: `Motion ${i}` }));
      const first = await api.get<{ items: Item[]; next: string | null }>(`/api/v1/circles/${garden}/proposals?limit=2`);
      expect(first.status).toBe(200);
      expect(first.body.items.map((p) => p.id)).toEqual([ids[4], ids[3]]);
      expect(first.body.items[0]).toMatchObject({ circle: garden, kind: 'motion', title: 'Motion 4', status: 'amending', openedBy: bob.id });
      expect(first.body.items[0]).not.toHaveProperty('provisional');
      conforms(proposalPageAnswer, first.body);
      // A proposal opened between two pages does not shift the next page.
      const newer = await open(carol, garden, { kind: 'motion', title: 'Late' });
      const second = await api.get<{ items: Item[]; next: string | null }>(`/api/v1/circles/${garden}/proposals?limit=2&after=${first.body.next}`);
      expect(second.body.items.map((p) => p.id)).toEqual([ids[2], ids[1]]);
      const third = await api.get<{ items: Item[]; next: string | null }>(`/api/v1/circles/${garden}/proposals?limit=2&after=${second.body.next}`);
      expect(third.body.items.map((p) => p.id)).toEqual([ids[0]]);
      expect(third.body.next).toBeNull();
      const fresh = await api.get<{ items: Item[] }>(`/api/v1/circles/${garden}/proposals?limit=1`);
      expect(fresh.body.items.map((p) => p.id)).toEqual([newer]);
    });

    it('filters by kind and by status (amending, open, closed)', async () => {
      const regime = await open(alice, garden, { kind: 'regime', title: 'To do-ocracy', regime: 'do-ocracy', params: {} });
      const byKind = await api.get<{ items: Item[] }>(`/api/v1/circles/${garden}/proposals?kind=regime`);
      expect(byKind.body.items.map((p) => p.id)).toEqual([regime]);
      const openOnes = await api.get<{ items: Item[] }>(`/api/v1/circles/${garden}/proposals?status=open`);
      expect(openOnes.body.items.map((p) => p.id)).toEqual([regime]);
      const amending = await api.get<{ items: Item[] }>(`/api/v1/circles/${garden}/proposals?status=amending&limit=100`);
      expect(amending.body.items).toHaveLength(6);
      expect(amending.body.items.every((p) => p.kind === 'motion' && p.status === 'amending')).toBe(true);
      const quick = await open(bob, orchard, { kind: 'motion', title: 'Quick', closesAt: formatTimestamp(Date.now() + 1200) });
      const closed = await eventually(async () => {
        const page = await api.get<{ items: Item[] }>(`/api/v1/circles/${orchard}/proposals?status=closed`);
        return page.body.items.length ? page.body.items : null;
      }, 30_000, 'the quick motion closed');
      expect(closed.map((p) => p.id)).toEqual([quick]);
      expect(closed[0]).toMatchObject({ status: 'closed', result: { proposal: quick, outcome: 'adopted' } });
      conforms(proposalAnswer, (await api.get(`/api/v1/proposals/${quick}`)).body);
    });

    it("lists an amendment-regime motion with its amendments and the amendments themselves", async () => {
      const hall = await api.circle(alice, 'Hall', { members: [bob], regime: 'amendment' });
      const motion = await open(alice, hall, { kind: 'motion', title: 'Paint', text: 'We paint the hall red.' });
      const { amendmentsCloseAt } = (await api.get<{ amendmentsCloseAt: string }>(`/api/v1/proposals/${motion}`)).body;
      const amendment = await open(bob, hall, { kind: 'amendment', title: 'Blue', text: '', target: motion, find: 'red', replace: 'blue', closesAt: amendmentsCloseAt });
      const page = await api.get<{ items: Item[] }>(`/api/v1/circles/${hall}/proposals`);
      conforms(proposalPageAnswer, page.body);
      expect(page.body.items.map((p) => p.id)).toEqual([amendment, motion]);
      expect(page.body.items[1]).toMatchObject({ originalText: 'We paint the hall red.', amendments: [{ id: amendment, find: 'red', replace: 'blue', status: 'open' }] });
      expect(page.body.items[0]).toMatchObject({ kind: 'amendment', proposed: { target: motion, find: 'red', replace: 'blue' } });
      const motions = await api.get<{ items: Item[] }>(`/api/v1/circles/${hall}/proposals?kind=motion`);
      expect(motions.body.items.map((p) => p.id)).toEqual([motion]);
    });

    it('refuses bad filters and cursors with INVALID_REQUEST and the field, and an unknown circle with 404', async () => {
      for (const [query, field] of [
        ['status=done', 'status'],
        ['kind=poll', 'kind'],
        ['limit=0', 'limit'],
        ['limit=101', 'limit'],
        ['after=abc', 'after'],
      ]) {
        const answer = await api.get(`/api/v1/circles/${garden}/proposals?${query}`);
        expect(answer.status).toBe(400);
        expect(answer.body).toMatchObject({ code: 'INVALID_REQUEST', field });
      }
      for (const circle of ['AAAAAAAAAAAAAAAAAAAAAA', 'registry']) {
        const answer = await api.get(`/api/v1/circles/${circle}/proposals`);
        expect(answer.status).toBe(404);
        expect(answer.body).toMatchObject({ code: 'UNKNOWN_CIRCLE' });
      }
    });
  });

  it("lists a decision's receipts in every ancestor, nearest first", async () => {
    const id = (await api.act(carol, 'proposal.open', orchard, { kind: 'motion', title: 'Plant pears', text: 'Pears.', closesAt: formatTimestamp(Date.now() + 1200) })).id as string;
    const receipts = await eventually(async () => {
      const answer = await api.get<{ items: Item[] }>(`/api/v1/proposals/${id}/receipts`);
      return answer.body.items?.length === 2 ? answer.body.items : null;
    }, 30_000, 'receipts in Garden and Commons');
    expect(receipts.map((r) => r.ancestor)).toEqual([garden, root]);
    conforms(receiptsAnswer, { items: receipts });
    for (const r of receipts) {
      const proof = await api.get<{ leaf: string }>(`/api/v1/circles/${r.ancestor}/proof/inclusion?seq=${r.seq}`);
      expect(proof.body.leaf).toBe(r.leaf);
      const log = (await api.get(`/api/v1/circles/${r.ancestor}/log?from=${r.seq}`)).text.split('\n')[0];
      expect(JSON.parse(log)).toMatchObject({ seq: r.seq, recordedAt: r.recordedAt });
    }
    const none = await api.get<{ items: Item[] }>(`/api/v1/proposals/${id.replace(/^./, id[0] === 'A' ? 'B' : 'A')}/receipts`);
    expect(none.status).toBe(404);
    expect(none.body).toMatchObject({ code: 'UNKNOWN_PROPOSAL' });
  });

  it("tells how each member's weight is cast: direct, delegated with its chain, lost in a cycle or at an absent member, absent", async () => {
    await api.act(bob, 'delegation.set', orchard, { to: carol.id, scope: { circle: true } });
    await api.act(erin, 'delegation.set', orchard, { to: frank.id, scope: { circle: true } });
    await api.act(frank, 'delegation.set', orchard, { to: erin.id, scope: { circle: true } });
    await api.act(gina, 'delegation.set', orchard, { to: alice.id, scope: { circle: true } });
    const { id } = await api.act(alice, 'proposal.open', orchard, { kind: 'motion', title: 'Weights', text: 'W.', closesAt: inAnHour() });
    await api.act(carol, 'vote.cast', orchard, { proposal: id as string, choice: 'support' });
    const weight = async (m: StatementSigner) => (await api.get<Item>(`/api/v1/proposals/${id}/weights/${m.id}`)).body;
    expect(await weight(carol)).toEqual({ member: carol.id, cast: 'direct', choice: 'support', chain: [] });
    for (const m of [carol, bob, alice, gina, erin]) conforms(weightAnswer, await weight(m));
    expect(await weight(bob)).toEqual({ member: bob.id, cast: 'delegated', choice: 'support', chain: [carol.id] });
    expect(await weight(alice)).toEqual({ member: alice.id, cast: 'absent', chain: [] });
    expect(await weight(gina)).toEqual({ member: gina.id, cast: 'lost', chain: [alice.id] });
    const cycle = [erin.id, frank.id].sort();
    expect(await weight(erin)).toEqual({ member: erin.id, cast: 'lost', chain: [frank.id], cycle });
    // A direct vote overrides her own delegation.
    await api.act(bob, 'vote.cast', orchard, { proposal: id as string, choice: 'object', reason: 'Too early.' });
    expect(await weight(bob)).toEqual({ member: bob.id, cast: 'direct', choice: 'object', chain: [] });
    // The same resolution as the provisional tally.
    const proposal = await api.get<{ provisional: Record<string, number> }>(`/api/v1/proposals/${id}`);
    conforms(proposalAnswer, proposal.body);
    expect(proposal.body.provisional).toMatchObject({ E: 6, Y: 1, O: 1, lost: 3, absent: 1 });

    // The delegation routes answer what their schemas say.
    conforms(circleDelegationsAnswer, (await api.get(`/api/v1/circles/${orchard}/delegations?proposal=${id}`)).body);
    conforms(memberDelegationsAnswer, (await api.get(`/api/v1/members/${bob.id}/delegations`)).body);

    const notEligible = await api.get(`/api/v1/proposals/${id}/weights/${dan.id}`);
    expect(notEligible.status).toBe(403);
    expect(notEligible.body).toMatchObject({ code: 'NOT_ELIGIBLE', field: 'member' });
    const badMember = await api.get(`/api/v1/proposals/${id}/weights/nobody`);
    expect(badMember.body).toMatchObject({ code: 'UNKNOWN_MEMBER' });
    const badProposal = await api.get(`/api/v1/proposals/AAAAAAAAAAAAAAAAAAAAAA/weights/${bob.id}`);
    expect(badProposal.status).toBe(404);
    expect(badProposal.body).toMatchObject({ code: 'UNKNOWN_PROPOSAL' });
  });

  it('answers the proof, identity and health routes as their schemas say', async () => {
    conforms(inclusionProofAnswer, (await api.get(`/api/v1/circles/${garden}/proof/inclusion?seq=1`)).body);
    conforms(consistencyProofAnswer, (await api.get(`/api/v1/circles/${garden}/proof/consistency?from=1`)).body);
    conforms(inclusionProofAnswer, (await api.get('/api/v1/registry/proof/inclusion?seq=0')).body);
    conforms(instanceAnswer, (await api.get('/.well-known/archipel.json')).body);
    conforms(healthAnswer, (await api.get('/health')).body);
    conforms(memberAnswer, (await api.get(`/api/v1/members/${alice.id}`)).body);
  });

  it('lists the circles forked out of a circle, and a fork names where it came from', async () => {
    const hive = await api.circle(alice, 'Beehive', { members: [bob, carol], regime: 'amendment' });
    const { id: split } = await api.act(bob, 'proposal.open', hive, { kind: 'split', title: 'Apart', text: 'We go.', name: 'Swarm', closesAt: formatTimestamp(Date.now() + 1200) });
    await api.act(bob, 'vote.cast', hive, { proposal: split as string, choice: 'leave' });
    await api.act(carol, 'vote.cast', hive, { proposal: split as string, choice: 'leave' });
    const forks = await eventually(async () => {
      const answer = await api.get<{ items: Item[] }>(`/api/v1/circles/${hive}/forks`);
      return answer.body.items?.length ? answer.body.items : null;
    }, 30_000, 'the fork');
    const tally = (await api.get<{ result: unknown }>(`/api/v1/proposals/${split}`)).body;
    expect(tally).toMatchObject({ status: 'closed', result: { outcome: 'forked' } });
    expect(forks).toEqual([{ circle: expect.any(String), name: 'Swarm', proposal: split, atSeq: expect.any(Number), members: [bob.id, carol.id].sort() }]);
    const swarm = forks[0].circle as string;
    conforms(forksAnswer, { items: forks });
    conforms(circleAnswer, (await api.get(`/api/v1/circles/${swarm}`)).body);
    const entry = JSON.parse((await api.get(`/api/v1/circles/${hive}/log?from=${forks[0].atSeq}`)).text.split('\n')[0]);
    expect(JSON.parse(Buffer.from(entry.jws.split('.')[1], 'base64url').toString()).type).toBe('tally.result');
    expect((await api.get(`/api/v1/circles/${swarm}`)).body).toMatchObject({ name: 'Swarm', forkedFrom: { circle: hive, atSeq: forks[0].atSeq } });
    expect((await api.get(`/api/v1/circles/${hive}`)).body).toMatchObject({ forkedFrom: null });
    const listed = (await api.get<{ items: Item[] }>('/api/v1/circles?parent=root')).body.items.find((c) => c.id === swarm);
    expect(listed).toMatchObject({ forkedFrom: hive, parent: null });
    expect((await api.get<{ items: Item[] }>(`/api/v1/circles/${garden}/forks`)).body.items).toEqual([]);
    const unknown = await api.get('/api/v1/circles/AAAAAAAAAAAAAAAAAAAAAA/forks');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'UNKNOWN_CIRCLE' });
  });
});
