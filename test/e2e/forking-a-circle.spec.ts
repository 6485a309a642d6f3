// SPEC §7: a split proposal or a contested motion under the split regime forks the circle. The new
// circle is a sibling whose genesis names the last shared entry and the original's checkpoint at
// that size; the original records who left; delegations across the sides lapse, those within the
// new circle are carried over; the shared history is provable by a consistency proof.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCompact } from '../../src/core/formats/statement';
import { StatementSigner } from '../../src/core/formats/statement-signer';
import { formatTimestamp } from '../../src/core/formats/canonical-json';
import { decodeEntryLine } from '../../src/core/formats/entry';
import { rootFromLeafHashes, verifyConsistency } from '../../src/core/formats/merkle';
import { openNote, parseCheckpoint } from '../../src/core/formats/signed-note';
import { derivedId } from '../../src/core/formats/ids';
import { LogReplay } from '../../src/core/verify/replay';
import { eventually, startTestApp, TestApp } from '../support/app';
import { ApiClient } from '../support/client';
import { archipel } from '../support/cli';

describe('forking a circle', () => {
  let t: TestApp;
  let api: ApiClient;
  let alice: StatementSigner, bob: StatementSigner, carol: StatementSigner, dan: StatementSigner;
  let noteKey: string;

  beforeAll(async () => {
    t = await startTestApp({ worker: true, env: { MIN_PROPOSAL_WINDOW_SECONDS: '1' } });
    api = new ApiClient(t.url);
    [alice, bob, carol, dan] = await Promise.all(['Alice', 'Bob', 'Carol', 'Dan'].map((n) => api.register(n)));
    noteKey = (await api.get<{ noteKey: string }>('/.well-known/archipel.json')).body.noteKey;
  });
  afterAll(() => t.close());

  const entries = async (circle: string) =>
    (await api.get(`/api/v1/circles/${circle}/log`)).text
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const d = decodeEntryLine(line);
        if (!d.ok) throw new Error(d.reason);
        const parsed = parseCompact(d.entry.jws);
        return { ...d.entry, leaf: d.leaf, payload: parsed.payload, signer: parsed.header.kid, jwk: parsed.header.jwk };
      });

  /** The fork's genesis, its shared history proven against the original log. */
  const checkFork = async (original: string, cause: string) => {
    const split = await eventually(async () => (await entries(original)).find((e) => e.payload.type === 'circle.split'), 30_000, 'circle.split');
    const body = split.payload.body as { newCircle: string; members: string[]; cause: string };
    expect(body.cause).toBe(cause);
    const genesis = (await entries(body.newCircle))[0];
    expect(derivedId(genesis.jws)).toBe(body.newCircle);
    const forked = genesis.payload.body as { from: string; atSeq: number; atLeaf: string; checkpoint: string; members: string[] };
    expect(forked).toMatchObject({ from: original, members: body.members });
    const full = await entries(original);
    expect(full[forked.atSeq].payload.type).toBe('tally.result');
    expect(Buffer.from(full[forked.atSeq].leaf).toString('base64url')).toBe(forked.atLeaf);
    // The checkpoint in the genesis is the original's signed checkpoint at atSeq + 1 …
    const opened = openNote(forked.checkpoint, noteKey);
    if (!opened.ok) throw new Error(opened.reason);
    const cp = parseCheckpoint(opened.text);
    expect(cp.size).toBe(forked.atSeq + 1);
    expect(Buffer.from(cp.root).equals(Buffer.from(rootFromLeafHashes(full.slice(0, cp.size).map((e) => e.leaf))))).toBe(true);
    // … and the original's log today extends it: a consistency proof from the instance verifies.
    const proof = await api.get<{ path: string[] }>(`/api/v1/circles/${original}/proof/consistency?from=${cp.size}&to=${full.length}`);
    const now = rootFromLeafHashes(full.map((e) => e.leaf));
    expect(verifyConsistency(cp.size, full.length, cp.root, now, proof.body.path.map((p) => Buffer.from(p, 'base64url')))).toBe(true);
    return { newCircle: body.newCircle, leavers: body.members, genesis, full };
  };

  it('splits by an explicit split proposal: leavers go, with the delegations among them', async () => {
    const root = await api.circle(alice, 'Commons', { regime: 'amendment' });
    const garden = await api.circle(alice, 'Garden', { parent: root, members: [bob, carol, dan], regime: 'amendment' });
    await api.act(bob, 'delegation.set', garden, { to: carol.id, scope: { circle: true } }); // both leave: carried
    await api.act(dan, 'delegation.set', garden, { to: bob.id, scope: { circle: true } }); // across sides: lapses
    const { id: split } = await api.act(carol, 'proposal.open', garden, { kind: 'split', title: 'Orchard apart', text: 'We start an orchard.', name: 'Orchard', closesAt: formatTimestamp(Date.now() + 1500) });
    const wrong = await api.postJws(alice.sign('vote.cast', garden, { proposal: split as string, choice: 'yes' }));
    expect(wrong.body).toMatchObject({ code: 'CHOICE_NOT_ALLOWED', field: 'body.choice' });
    await api.act(bob, 'vote.cast', garden, { proposal: split as string, choice: 'leave' });
    await api.act(carol, 'vote.cast', garden, { proposal: split as string, choice: 'leave' });
    await api.act(alice, 'vote.cast', garden, { proposal: split as string, choice: 'stay' });

    const result = await eventually(async () => (await api.get<{ result?: Record<string, unknown> }>('/api/v1/proposals/' + split)).body.result, 30_000, 'the split tally');
    expect(result).toMatchObject({ outcome: 'forked', totals: { E: 4, Y: 2, N: 1, A: 0, O: 0 }, lost: { weight: 0, cycles: [] }, absent: 1 });

    const { newCircle, leavers, genesis } = await checkFork(garden, split as string);
    expect(leavers).toEqual([bob.id, carol.id].sort());
    expect((await api.get<Record<string, unknown>>('/api/v1/circles/' + newCircle)).body).toMatchObject({ name: 'Orchard', parent: root, regime: 'amendment', members: [bob.id, carol.id].sort() });
    expect((await api.get<{ members: string[] }>('/api/v1/circles/' + garden)).body.members).toEqual([alice.id, dan.id].sort());
    expect((await api.get<{ children: string[] }>('/api/v1/circles/' + root)).body.children.sort()).toEqual([garden, newCircle].sort());
    expect((genesis.payload.body as { delegations: string[] }).delegations).toHaveLength(1);
    expect((await api.get<{ delegations: unknown[] }>(`/api/v1/circles/${newCircle}/delegations`)).body.delegations).toEqual([
      expect.objectContaining({ member: bob.id, delegate: carol.id, scope: { kind: 'circle', value: '' } }),
    ]);
    expect((await api.get<{ delegations: unknown[] }>(`/api/v1/circles/${garden}/delegations`)).body.delegations).toEqual([]);

    // The original log replays, fork record included; exactly one new circle whatever the retries.
    const replay = new LogReplay(garden, [alice, bob, carol, dan].map((m) => ({ id: m.id, name: '', jwk: m.publicJwk })));
    for (const e of await entries(garden)) replay.push({ seq: e.seq, recordedAt: e.recordedAt, jws: e.jws, payload: e.payload, signer: e.signer, jwk: e.jwk });
    expect(replay.tallies).toBe(1);
    const { ForksService } = await import('../../src/circles/forks.service');
    expect(await t.app.get(ForksService).execute({ proposal: split as string })).toBeNull();

    // `archipel verify` accepts both logs, checking the new circle's genesis against the original.
    const original = await archipel('verify', '--instance', t.url, '--circle', garden);
    expect(original).toMatchObject({ status: 0, stderr: '' });
    expect(original.stdout).toMatch(/1 tally result recomputed and equal/);
    const forkedRun = await archipel('verify', '--instance', t.url, '--circle', newCircle);
    expect(forkedRun).toMatchObject({ status: 0, stderr: '' });
    expect(forkedRun.stdout).toContain(`OK fork of ${garden}: shared history up to seq`);
    expect(forkedRun.stdout).toContain('1 delegation(s) carried');

    // Given another circle's log as the original, the check fails.
    const dir = mkdtempSync(join(tmpdir(), 'archipel-fork-'));
    for (const [name, path] of [
      ['new.jsonl', `/api/v1/circles/${newCircle}/log`],
      ['root.jsonl', `/api/v1/circles/${root}/log`],
      ['registry.jsonl', '/api/v1/registry/log'],
      ['checkpoint.txt', `/api/v1/circles/${newCircle}/checkpoint`],
    ]) writeFileSync(join(dir, name), (await api.get(path)).text);
    const files = ['--log', join(dir, 'new.jsonl'), '--registry', join(dir, 'registry.jsonl'), '--checkpoint', join(dir, 'checkpoint.txt'), '--key', noteKey];
    expect((await archipel('verify', ...files)).stderr).toMatch(/FORK_ORIGINAL_MISSING/);
    const wrongOriginal = await archipel('verify', ...files, '--fork-of', join(dir, 'root.jsonl'));
    expect(wrongOriginal.status).toBe(1);
    expect(wrongOriginal.stderr).toMatch(/^FAIL /);
  });

  it('forks a contested motion under the split regime; the direct yes voters leave', async () => {
    const circle = await api.circle(alice, 'Contested', { members: [bob, carol, dan], regime: 'split' });
    const { id: motion } = await api.act(alice, 'proposal.open', circle, { kind: 'motion', title: 'Night market', text: 'We run a night market.', closesAt: formatTimestamp(Date.now() + 1500) });
    await api.act(alice, 'vote.cast', circle, { proposal: motion as string, choice: 'yes' });
    await api.act(bob, 'vote.cast', circle, { proposal: motion as string, choice: 'yes' });
    await api.act(carol, 'vote.cast', circle, { proposal: motion as string, choice: 'no' });
    await api.act(dan, 'delegation.set', circle, { to: carol.id, scope: { circle: true } }); // N by delegation
    const result = await eventually(async () => (await api.get<{ result?: Record<string, unknown> }>('/api/v1/proposals/' + motion)).body.result, 30_000, 'the tally');
    expect(result).toMatchObject({ outcome: 'forked', totals: { E: 4, Y: 2, N: 2 } });
    const { newCircle, leavers } = await checkFork(circle, motion as string);
    expect(leavers).toEqual([alice.id, bob.id].sort());
    expect((await api.get<Record<string, unknown>>('/api/v1/circles/' + newCircle)).body).toMatchObject({ name: 'Night market', parent: null, regime: 'split' });
    for (const c of [circle, newCircle]) expect(await archipel('verify', '--instance', t.url, '--circle', c)).toMatchObject({ status: 0, stderr: '' });
  });

  it('refuses a doer who is not a member', async () => {
    const circle = await api.circle(alice, 'Doers', { members: [bob], regime: 'do-ocracy' });
    const refused = await api.postJws(
      alice.sign('proposal.open', circle, { kind: 'motion', title: 'x', text: 'y', doer: dan.id, closesAt: formatTimestamp(Date.now() + 60_000) }),
    );
    expect(refused.body).toMatchObject({ code: 'NOT_A_MEMBER', field: 'body.doer' });
  });
});
