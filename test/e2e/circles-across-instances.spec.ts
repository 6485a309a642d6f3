// SPEC §12.2 with three instances on this machine (each its own port, database, queue prefix and
// key): a root circle on A, a child on B, a grandchild on C; members registered on A act in C; a
// decision adopted in C reaches B and A as receipts with proofs. Then B is stopped while C adopts
// another decision, and restarted: the receipt arrives once. Bad input from a peer (a proof that
// does not verify, a checkpoint that contradicts one seen before) is refused with a stable code,
// nothing written; the equivocating peer is flagged with its evidence kept.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Client } from 'pg';
import { join } from 'node:path';
import { formatTimestamp } from '../../src/core/formats/canonical-json';
import { cosigners, parseWitnessKey, splitNote } from '../../src/core/formats/cosignature';
import { decodeEntryLine } from '../../src/core/formats/entry';
import { derivedId } from '../../src/core/formats/ids';
import { nodeHash } from '../../src/core/formats/merkle';
import { formatCheckpoint, parseCheckpoint, signNote } from '../../src/core/formats/signed-note';
import { parseCompact } from '../../src/core/formats/statement';
import type { StatementSigner } from '../../src/core/formats/statement-signer';
import { eventually } from '../support/app';
import { ApiClient } from '../support/client';
import { archipel, archipelWith } from '../support/cli';
import { Instance, peerPolicy, prepareInstance, startInstance, stopInstance, witnessEachOther } from '../support/federation';
import { describeWithServer } from '../support/database-urls';

const dir = mkdtempSync(join(tmpdir(), 'archipel-across-'));

type Line = { seq: number; type: string; body: Record<string, unknown>; id: string };

async function logOf(i: Instance, circle: string): Promise<Line[]> {
  const text = await (await fetch(`${i.url}/api/v1/circles/${circle}/log`)).text();
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const decoded = decodeEntryLine(l);
      if (!decoded.ok) throw new Error(decoded.reason);
      const p = parseCompact(decoded.entry.jws).payload;
      return { seq: decoded.entry.seq, type: p.type, body: p.body as Record<string, unknown>, id: derivedId(decoded.entry.jws) };
    });
}

describeWithServer('circles across instances (SPEC §12.2)', () => {
  let a: Instance;
  let b: Instance;
  let c: Instance;
  let alice: StatementSigner;
  let bob: StatementSigner;
  let root: string;
  let middle: string;
  let leaf: string;

  beforeAll(async () => {
    [a, b, c] = [await prepareInstance(dir, 'a.test'), await prepareInstance(dir, 'b.test'), await prepareInstance(dir, 'c.test')];
    for (const me of [a, b, c]) {
      me.env.FEDERATION_PEERS = [a, b, c]
        .filter((o) => o !== me)
        .map((o) => `${o.name} ${o.url}`)
        .join(';');
    }
    witnessEachOther([a, b, c], 2);
    // Receipts between them must be cosigned by 2 of the 3 witnesses (SPEC §12.2).
    for (const me of [a, b, c]) me.env.PEER_WITNESS_POLICY = peerPolicy([a, b, c], 2);
    for (const i of [a, b, c]) await startInstance(i);
  });

  afterAll(async () => {
    for (const i of [a, b, c]) await stopInstance(i);
    rmSync(dir, { recursive: true, force: true });
  });

  const api = (i: Instance) => new ApiClient(i.url);
  const qualified = (i: Instance, circle: string) => `${i.name}/circles/${circle}`;

  it('members registered on A are brought to B and C with their proven registry entries', async () => {
    alice = await api(a).register('Alice');
    bob = await api(a).register('Bob');
    for (const i of [b, c]) {
      for (const m of [alice, bob]) {
        const answer = await api(i).post('/api/v1/federation/members', { member: m.id, instance: a.name });
        expect(answer).toMatchObject({ status: 200, body: { member: m.id, appended: 1, present: 0 } });
      }
      // Idempotent: asked again, nothing is appended twice.
      expect((await api(i).post('/api/v1/federation/members', { member: alice.id, instance: a.name })).body).toEqual({ member: alice.id, appended: 0, present: 1 });
      expect((await api(i).get(`/api/v1/members/${alice.id}`)).body).toMatchObject({ id: alice.id, name: 'Alice', jwk: alice.publicJwk });
    }
  });

  it('a circle on B under a circle on A, and one on C under it: each parent records its child from the signed genesis', async () => {
    root = await api(a).circle(alice, 'Fédération', { regime: 'unanimity', members: [bob] });
    // Not a member of A's root: B asks A, and refuses.
    const carol = await api(b).register('Carol');
    const refused = await api(b).postJws(carol.sign('circle.create', null, { name: 'Intrus', parent: qualified(a, root), regime: 'unanimity' }));
    expect(refused).toMatchObject({ status: 403, body: { code: 'NOT_A_MEMBER', field: 'body.parent' } });
    // An instance this one does not federate with.
    const unknown = await api(b).postJws(alice.sign('circle.create', null, { name: 'Ailleurs', parent: `nowhere.test/circles/${root}`, regime: 'unanimity' }));
    expect(unknown).toMatchObject({ status: 422, body: { code: 'UNKNOWN_PEER' } });

    middle = await api(b).circle(alice, 'Coopérative', { parent: qualified(a, root), regime: 'unanimity', members: [bob] });
    expect((await api(b).get(`/api/v1/circles/${middle}`)).body).toMatchObject({ parent: qualified(a, root) });
    await eventually(async () => ((await api(a).get<{ children: string[] }>(`/api/v1/circles/${root}`)).body.children ?? []).includes(qualified(b, middle)), 30_000, 'A records B’s circle');

    leaf = await api(c).circle(alice, 'Atelier', { parent: qualified(b, middle), regime: 'unanimity', members: [bob] });
    await eventually(async () => ((await api(b).get<{ children: string[] }>(`/api/v1/circles/${middle}`)).body.children ?? []).includes(qualified(c, leaf)), 30_000, 'B records C’s circle');

    const created = (await logOf(a, root)).filter((l) => l.type === 'child.created');
    expect(created).toEqual([expect.objectContaining({ body: { child: qualified(b, middle), genesis: { leaf: expect.any(String) } } })]);
  });

  it('with the command line, a member registered on A acts on C: archipel init --from her profile', async () => {
    const env = { XDG_CONFIG_HOME: join(dir, 'dana-config'), LANG: 'fr_FR.UTF-8' };
    const home = await archipelWith(env, 'init', '--instance', a.url, '--name', 'Dana', '--profile', 'home', '--json');
    expect(home.status).toBe(0);
    const dana = (JSON.parse(home.stdout) as { member: string }).member;
    const away = await archipelWith(env, 'init', '--instance', c.url, '--from', 'home', '--profile', 'away');
    expect(away.stderr).toBe('');
    expect(away.status).toBe(0);
    expect(away.stdout).toContain(`agit désormais aussi sur ${c.url}`);
    expect((await api(c).get(`/api/v1/members/${dana}`)).body).toMatchObject({ id: dana, name: 'Dana' });
    // Invited to C's circle, she joins and acts there with the same key.
    await api(c).act(alice, 'member.invite', leaf, { member: dana });
    const joined = await archipelWith(env, 'circle', 'join', leaf, '--profile', 'away');
    expect(joined.status).toBe(0);
    expect((await api(c).get<{ members: string[] }>(`/api/v1/circles/${leaf}`)).body.members).toContain(dana);
    // Asked again (another profile for the same instance), nothing is appended twice.
    const again = await archipelWith(env, 'init', '--instance', c.url, '--from', 'home', '--profile', 'again', '--json');
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ member: dana, appended: 0, present: 1 });
    // Leaving keeps the other tests' circle as it was: two voters.
    expect((await archipelWith(env, 'circle', 'leave', leaf, '--profile', 'away')).status).toBe(0);
  });

  const adopt = async (title: string, where: [Instance, string] = [c, leaf], opening: Partial<{ ratify: boolean }> = {}): Promise<string> => {
    const [i, circle] = where;
    const closesAt = formatTimestamp(Date.now() + 2_500);
    const opened = await api(i).act(alice, 'proposal.open', circle, { kind: 'motion', title, text: `${title}.`, closesAt, ...opening });
    const proposal = opened.id as string;
    await vote(i, circle, proposal);
    return proposal;
  };

  const vote = async (i: Instance, circle: string, proposal: string) => {
    for (const m of [alice, bob]) await api(i).act(m, 'vote.cast', circle, { proposal, choice: 'yes' });
    await eventually(async () => (await api(i).get<{ status: string }>(`/api/v1/proposals/${proposal}`)).body.status === 'closed', 30_000, `the tally in ${i.name}`);
  };

  const receiptsIn = async (i: Instance, circle: string, proposal: string) => (await logOf(i, circle)).filter((l) => l.type === 'child.decision' && l.body.proposal === proposal);

  it('a decision adopted in C, voted by members of A, reaches B and A as receipts with proofs', async () => {
    const proposal = await adopt('Ouvrir le samedi');
    for (const [i, circle] of [
      [b, middle],
      [a, root],
    ] as const) {
      const [receipt] = await eventually(async () => {
        const found = await receiptsIn(i, circle, proposal);
        return found.length ? found : null;
      }, 30_000, `the receipt in ${i.name}`);
      expect(receipt.body).toMatchObject({ child: qualified(c, leaf), proposal, outcome: 'adopted', entry: { seq: expect.any(Number), leaf: expect.any(String) } });
      expect(parseCheckpoint(splitNote(receipt.body.checkpoint as string).text).origin).toBe(qualified(c, leaf));
      // SPEC §12.2: a cosigned child checkpoint: C's policy is 2 of its witnesses, A and B.
      expect(cosigners(receipt.body.checkpoint as string, [a, b].map((w) => parseWitnessKey(w.witnessKey))).sort()).toEqual([`${a.name}/witness`, `${b.name}/witness`]);
    }
  });

  it('B stopped while C adopts a decision, restarted later: the receipt arrives in B and A, once', async () => {
    await stopInstance(b, false);
    const proposal = await adopt('Réparer le toit');
    await new Promise((r) => setTimeout(r, 2_000)); // C tries B, and fails, meanwhile
    await startInstance(b);
    await eventually(async () => (await receiptsIn(a, root, proposal)).length > 0, 60_000, 'the receipt in A after B is back');
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await receiptsIn(b, middle, proposal)).toHaveLength(1);
    expect(await receiptsIn(a, root, proposal)).toHaveLength(1);
  }, 120_000);

  it('a motion adopted in C with ratify: true is ratified in B, and the ratification climbs to A', async () => {
    const proposal = await adopt('Adhérer à la charte', [c, leaf], { ratify: true });
    const ratification = await eventually(async () => {
      const opened = (await logOf(b, middle)).find((l) => l.type === 'proposal.open' && (l.body.ratifies as { proposal?: string } | undefined)?.proposal === proposal);
      return opened ?? null;
    }, 30_000, 'the ratification motion in B');
    expect(ratification.body).toMatchObject({ kind: 'motion', title: 'Adhérer à la charte', text: 'Adhérer à la charte.', topic: null, ratifies: { circle: qualified(c, leaf), proposal } });
    await vote(b, middle, ratification.id);
    const [receipt] = await eventually(async () => {
      const found = await receiptsIn(a, root, ratification.id);
      return found.length ? found : null;
    }, 30_000, 'the receipt of the ratification in A');
    expect(receipt.body).toMatchObject({ child: qualified(b, middle), proposal: ratification.id, outcome: 'adopted' });
    // Opened once, whatever the retries.
    expect((await logOf(b, middle)).filter((l) => (l.body.ratifies as { proposal?: string } | undefined)?.proposal === proposal)).toHaveLength(1);
  }, 90_000);

  it('every instance cosigns the others, and archipel verify with the three witness keys and quorum 2 accepts every log', async () => {
    const keys = [a, b, c].map((i) => i.witnessKey);
    for (const [i, circle] of [
      [a, root],
      [b, middle],
      [c, leaf],
    ] as const) {
      await eventually(async () => {
        const res = await fetch(`${i.url}/api/v1/circles/${circle}/checkpoint?cosigned=1`);
        if (res.status !== 200) return null;
        // Cosigned at the current size: the receipts are in.
        const size = (await api(i).get<{ size: number }>(`/api/v1/circles/${circle}`)).body.size;
        return parseCheckpoint(splitNote(await res.text()).text).size === size;
      }, 60_000, `a cosigned checkpoint of ${i.name}'s circle`);
      const run = await archipel('verify', '--instance', i.url, '--circle', circle, '--witness', ...keys, '--quorum', '2');
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/OK cosigned by 2 witness\(es\)/);
    }
  }, 180_000);

  it('a receipt whose proof does not verify is refused, nothing written', async () => {
    const [good] = (await logOf(b, middle)).filter((l) => l.type === 'child.decision');
    const size = (await api(b).get<{ size: number }>(`/api/v1/circles/${middle}`)).body.size;
    const receipt = { ...good.body, proof: (good.body.proof as string[]).map(() => randomBytes(32).toString('base64url')) };
    const answer = await api(b).post('/api/v1/federation/receipts', { via: qualified(c, leaf), receipt });
    // Already there? No: the proposal differs from any recorded (a fresh id), so the proof is what is checked.
    const fresh = await api(b).post('/api/v1/federation/receipts', { via: qualified(c, leaf), receipt: { ...receipt, proposal: 'AAAAAAAAAAAAAAAAAAAAAA' } });
    expect([answer.status, fresh.status]).toEqual([422, 422]);
    expect(fresh.body).toMatchObject({ code: 'PEER_BAD_PROOF' });
    expect((await api(b).get<{ size: number }>(`/api/v1/circles/${middle}`)).body.size).toBe(size);
    // A via that is no child here.
    expect((await api(b).post('/api/v1/federation/receipts', { via: qualified(c, middle), receipt })).body).toMatchObject({ code: 'UNKNOWN_CHILD' });
  });

  it('a receipt whose child checkpoint is not cosigned as PEER_WITNESS_POLICY asks is refused, nothing written', async () => {
    const [good] = (await logOf(b, middle)).filter((l) => l.type === 'child.decision');
    const note = good.body.checkpoint as string;
    // The child instance's own signature line only: its witnesses' lines dropped.
    const plain = note.slice(0, note.indexOf('\n', note.indexOf('\n\n') + 2) + 1);
    expect(cosigners(plain, [a, b, c].map((w) => parseWitnessKey(w.witnessKey)))).toEqual([]);
    const size = (await api(b).get<{ size: number }>(`/api/v1/circles/${middle}`)).body.size;
    const answer = await api(b).post('/api/v1/federation/receipts', { via: qualified(c, leaf), receipt: { ...good.body, proposal: 'AAAAAAAAAAAAAAAAAAAAAA', checkpoint: plain } });
    expect(answer).toMatchObject({ status: 409, body: { code: 'PEER_NOT_COSIGNED', field: 'receipt.checkpoint' } });
    // As it came, cosigned: past that check (then refused for its made-up proposal).
    const cosignedAnswer = await api(b).post('/api/v1/federation/receipts', { via: qualified(c, leaf), receipt: { ...good.body, proposal: 'AAAAAAAAAAAAAAAAAAAAAA' } });
    expect(cosignedAnswer.body).not.toMatchObject({ code: 'PEER_NOT_COSIGNED' });
    expect((await api(b).get<{ size: number }>(`/api/v1/circles/${middle}`)).body.size).toBe(size);
  });

  it('a receipt refused after its checkpoint was checked (no carrier) leaves the newest checkpoint seen of that log as it was', async () => {
    const [good] = (await logOf(a, root)).filter((l) => l.type === 'child.decision' && l.body.child === qualified(c, leaf));
    const seenInA = async () => {
      const sql = new Client({ connectionString: a.db.url });
      await sql.connect();
      try {
        return Number((await sql.query(`SELECT size FROM peer_checkpoint WHERE origin = $1`, [qualified(c, leaf)])).rows[0].size);
      } finally {
        await sql.end();
      }
    };
    const before = await seenInA();
    // C's log grows past every checkpoint of it A has seen; a genuine checkpoint of C covers the decision.
    await api(c).act(alice, 'proposal.open', leaf, { kind: 'motion', title: 'Plus tard', text: 'Plus tard.', closesAt: formatTimestamp(Date.now() + 3_600_000) });
    const note = await eventually(async () => {
      const res = await fetch(`${c.url}/api/v1/circles/${leaf}/checkpoint?cosigned=1`);
      const text = await res.text();
      return res.status === 200 && parseCheckpoint(splitNote(text).text).size > before ? text : null;
    }, 30_000, 'a cosigned checkpoint of C beyond what A has seen');
    const size = parseCheckpoint(splitNote(note).text).size;
    const entry = good.body.entry as { seq: number };
    const { path } = (await api(c).get<{ path: string[] }>(`/api/v1/circles/${leaf}/proof/inclusion?seq=${entry.seq}&size=${size}`)).body;
    const answer = await api(a).post('/api/v1/federation/receipts', { via: qualified(b, middle), receipt: { ...good.body, checkpoint: note, proof: path } });
    expect(answer).toMatchObject({ status: 422, body: { code: 'PEER_BAD_REQUEST', field: 'carrier' } });
    expect(await seenInA()).toBe(before);
  });

  it('a peer that shows a checkpoint inconsistent with one seen before is flagged, its evidence kept, its requests held', async () => {
    const [good] = (await logOf(b, middle)).filter((l) => l.type === 'child.decision');
    const cp = parseCheckpoint(splitNote(good.body.checkpoint as string).text);
    // What a lying C would sign: the same size of the same log, another history.
    const forked = signNote(formatCheckpoint(cp.origin, cp.size, randomBytes(32)), c.name, c.signer.rawPublicKey, (m) => c.signer.signBytes(m));
    const size = (await api(b).get<{ size: number }>(`/api/v1/circles/${middle}`)).body.size;
    const answer = await api(b).post('/api/v1/federation/receipts', { via: qualified(c, leaf), receipt: { ...good.body, proposal: 'AAAAAAAAAAAAAAAAAAAAAA', checkpoint: forked, proof: [] } });
    // The inclusion proof cannot verify against a random root: refused before it is compared.
    expect(answer.body).toMatchObject({ code: 'PEER_BAD_PROOF' });

    // A genesis announcement with the forked checkpoint, its entry included in it by construction.
    const genesis = (await (await fetch(`${c.url}/api/v1/circles/${leaf}/log?from=0`)).text()).split('\n')[0];
    const decoded = decodeEntryLine(genesis);
    if (!decoded.ok) throw new Error(decoded.reason);
    // A tree of two entries: the real genesis, and something else beside it.
    const other = randomBytes(32);
    const lie = signNote(formatCheckpoint(qualified(c, leaf), 2, nodeHash(decoded.leaf, other)), c.name, c.signer.rawPublicKey, (m) => c.signer.signBytes(m));
    const flagged = await api(b).post('/api/v1/federation/children', { genesis: { line: genesis, checkpoint: lie, proof: [other.toString('base64url')] } });
    expect(flagged).toMatchObject({ status: 409, body: { code: 'PEER_EQUIVOCATED' } });
    expect((await api(b).get<{ size: number }>(`/api/v1/circles/${middle}`)).body.size).toBe(size);
    const peers = (await api(b).get<{ items: Array<{ name: string; flaggedAt: string | null; evidence: Array<{ origin: string }> }> }>('/api/v1/federation/peers')).body.items;
    const peer = peers.find((p) => p.name === c.name);
    expect(peer?.flaggedAt).toEqual(expect.any(String));
    expect(peer?.evidence).toEqual([expect.objectContaining({ origin: qualified(c, leaf) })]);
    // Held: even an honest request from C is refused until an operator decides.
    const honest = await api(b).post('/api/v1/federation/receipts', { via: qualified(c, leaf), receipt: good.body });
    expect(honest.body).toMatchObject({ code: 'PEER_EQUIVOCATED' });
  });
});
