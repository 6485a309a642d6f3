// SPEC §3–§4 end to end over HTTP with real keys: registry, nested circles, membership, the
// logs as served, their proofs and checkpoints.
import { base64url } from '../../src/core/formats/canonical-json';
import { decodeEntryLine } from '../../src/core/formats/entry';
import { rootFromLeafHashes, verifyConsistency, verifyInclusion } from '../../src/core/formats/merkle';
import { openNote, parseCheckpoint } from '../../src/core/formats/signed-note';
import { derivedId } from '../../src/core/formats/ids';
import { StatementSigner } from '../../src/core/formats/statement-signer';
import { startTestApp, TestApp } from '../support/app';
import { ApiClient } from '../support/client';

describe('circles and their logs', () => {
  let t: TestApp;
  let api: ApiClient;
  let alice: StatementSigner;
  let bob: StatementSigner;
  let carol: StatementSigner;
  let noteKey: string;

  beforeAll(async () => {
    t = await startTestApp();
    api = new ApiClient(t.url);
    alice = await api.register('Alice');
    bob = await api.register('Bob');
    carol = await api.register('Carol');
    noteKey = (await api.get<{ noteKey: string }>('/.well-known/archipel.json')).body.noteKey;
  });
  afterAll(() => t.close());

  const lines = async (path: string) => {
    const answer = await api.get(path);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('application/x-ndjson');
    return answer.text.split('\n').filter(Boolean);
  };

  it('registers members in the registry log, and serves their keys', async () => {
    const member = await api.get('/api/v1/members/' + alice.id);
    // SPEC §11: her registration key is her first key, added at her registration entry.
    expect(member.body).toEqual({ id: alice.id, name: 'Alice', jwk: alice.publicJwk, keys: [{ kid: alice.id, jwk: alice.publicJwk, addedAt: expect.any(String) }] });
    const registry = await lines('/api/v1/registry/log');
    expect(registry.length).toBeGreaterThanOrEqual(3);
    const first = decodeEntryLine(registry[0]);
    expect(first.ok && first.entry).toMatchObject({ v: 1, circle: 'registry', seq: 0, prev: null });
    const note = (await api.get('/api/v1/registry/checkpoint')).text;
    const opened = openNote(note, noteKey);
    expect(opened.ok).toBe(true);
    const cp = parseCheckpoint((opened as { text: string }).text);
    expect(cp.origin).toBe('test.archipel.example/registry');
  });

  it('creates a root circle whose id derives from its genesis, and a sub-circle recorded in the parent', async () => {
    const genesis = alice.sign('circle.create', null, { name: 'Commons', regime: 'amendment' });
    const created = await api.postJws(genesis);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: derivedId(genesis), seq: 0 });
    const root = created.body.id as string;
    expect(root).toHaveLength(22);

    const sub = await api.act(alice, 'circle.create', null, { name: 'Garden', parent: root, regime: 'do-ocracy' });
    const parent = await api.get<Record<string, unknown>>('/api/v1/circles/' + root);
    expect(parent.body).toMatchObject({ id: root, name: 'Commons', parent: null, children: [sub.id], members: [alice.id], regime: 'amendment', size: 2 });
    const parentLog = await lines(`/api/v1/circles/${root}/log`);
    const childCreated = decodeEntryLine(parentLog[1]);
    if (!childCreated.ok) throw new Error(childCreated.reason);
    const payload = JSON.parse(Buffer.from(childCreated.entry.jws.split('.')[1], 'base64url').toString());
    expect(payload).toMatchObject({ type: 'child.created', circle: root, body: { child: sub.id, genesis: { leaf: sub.leaf } } });
    const header = JSON.parse(Buffer.from(childCreated.entry.jws.split('.')[0], 'base64url').toString());
    expect(header.typ).toBe('archipel-system');
  });

  it('invites, accepts and leaves; only members act in a circle', async () => {
    const circle = await api.circle(alice, 'Workshop', { members: [bob] });
    expect((await api.get<{ members: string[] }>('/api/v1/circles/' + circle)).body.members.sort()).toEqual([alice.id, bob.id].sort());

    const notInvited = await api.postJws(carol.sign('member.accept', circle, {}));
    expect(notInvited.status).toBe(403);
    expect(notInvited.body).toMatchObject({ code: 'NOT_INVITED' });

    const outsider = await api.postJws(carol.sign('member.invite', circle, { member: carol.id }));
    expect(outsider.body).toMatchObject({ code: 'NOT_A_MEMBER' });

    await api.act(bob, 'member.leave', circle, {});
    expect((await api.get<{ members: string[] }>('/api/v1/circles/' + circle)).body.members).toEqual([alice.id]);
    const again = await api.postJws(bob.sign('member.leave', circle, {}));
    expect(again.body).toMatchObject({ code: 'NOT_A_MEMBER' });
  });

  it('serves entries whose chain, Merkle root, proofs and checkpoint all verify', async () => {
    const circle = await api.circle(alice, 'Proofs', { members: [bob, carol] });
    const log = await lines(`/api/v1/circles/${circle}/log`);
    const decoded = log.map((l) => {
      const d = decodeEntryLine(l);
      if (!d.ok) throw new Error(d.reason);
      return d;
    });
    decoded.forEach((d, i) => {
      expect(d.entry.seq).toBe(i);
      expect(d.entry.prev).toBe(i === 0 ? null : base64url(decoded[i - 1].leaf));
    });
    const root = rootFromLeafHashes(decoded.map((d) => d.leaf));
    const note = (await api.get(`/api/v1/circles/${circle}/checkpoint`)).text;
    const opened = openNote(note, noteKey);
    if (!opened.ok) throw new Error(opened.reason);
    const cp = parseCheckpoint(opened.text);
    expect(cp).toEqual({ origin: `test.archipel.example/circles/${circle}`, size: log.length, root: expect.anything() });
    expect(Buffer.from(cp.root).equals(Buffer.from(root))).toBe(true);
    // The same checkpoint is served again for the same size (cached, never re-signed).
    expect((await api.get(`/api/v1/circles/${circle}/checkpoint`)).text).toBe(note);

    for (let seq = 0; seq < log.length; seq++) {
      const proof = await api.get<{ seq: number; size: number; leaf: string; root: string; path: string[] }>(
        `/api/v1/circles/${circle}/proof/inclusion?seq=${seq}&size=${log.length}`,
      );
      expect(proof.body.leaf).toBe(base64url(decoded[seq].leaf));
      expect(proof.body.root).toBe(base64url(root));
      const path = proof.body.path.map((p) => Buffer.from(p, 'base64url'));
      expect(verifyInclusion(decoded[seq].leaf, seq, log.length, path, root)).toBe(true);
    }
    const from = 2;
    const consistency = await api.get<{ path: string[] }>(`/api/v1/circles/${circle}/proof/consistency?from=${from}&to=${log.length}`);
    const oldRoot = rootFromLeafHashes(decoded.slice(0, from).map((d) => d.leaf));
    expect(verifyConsistency(from, log.length, oldRoot, root, consistency.body.path.map((p) => Buffer.from(p, 'base64url')))).toBe(true);

    const tail = await lines(`/api/v1/circles/${circle}/log?from=3`);
    expect(tail).toEqual(log.slice(3));
  });

  it('answers unknown circles and bad proof ranges with stable codes', async () => {
    const circle = await api.circle(alice, 'Ranges');
    expect((await api.get('/api/v1/circles/AAAAAAAAAAAAAAAAAAAAAA')).body).toMatchObject({ code: 'UNKNOWN_CIRCLE' });
    expect((await api.get('/api/v1/circles/AAAAAAAAAAAAAAAAAAAAAA/log')).status).toBe(404);
    const beyond = await api.get(`/api/v1/circles/${circle}/proof/inclusion?seq=5`);
    expect(beyond.status).toBe(400);
    expect(beyond.body).toMatchObject({ code: 'INVALID_RANGE', field: 'seq' });
    expect((await api.get(`/api/v1/circles/${circle}/proof/inclusion?seq=-1`)).body).toMatchObject({ code: 'INVALID_RANGE', field: 'seq' });
    expect((await api.get(`/api/v1/circles/${circle}/proof/consistency?from=3&to=1`)).body).toMatchObject({ code: 'INVALID_RANGE' });
    expect((await api.get('/api/v1/members/nobody')).body).toMatchObject({ code: 'UNKNOWN_MEMBER' });
    // The registry is a log, not a circle: it is served under /api/v1/registry only.
    expect((await api.get('/api/v1/circles/registry/log')).body).toMatchObject({ code: 'UNKNOWN_CIRCLE' });
    expect((await api.get('/api/v1/circles/registry')).status).toBe(404);
  });
});
