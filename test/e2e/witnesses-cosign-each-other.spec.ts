// SPEC §12.1 end to end: two instances witness each other. Each sends its checkpoints to the
// other's POST /witness/add-checkpoint and serves them cosigned at ?cosigned=1; the witness keeps
// its record in PostgreSQL across a restart, refuses forks (keeping the evidence), and never
// cosigns two inconsistent checkpoints of one origin, even under concurrent requests.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519';
import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { cosigners, formatWitnessKey, parseWitnessKey, splitNote } from '../../src/core/formats/cosignature';
import { appendLeaves, consistencyProof, leafHash, mapGetter, MerkleNode, root } from '../../src/core/formats/merkle';
import { formatCheckpoint, formatVerifierKey, parseCheckpoint, signNote } from '../../src/core/formats/signed-note';
import { formatAddCheckpoint } from '../../src/core/formats/witness-protocol';
import { eventually } from '../support/app';
import { ApiClient } from '../support/client';
import type { StatementSigner } from '../../src/core/formats/statement-signer';
import { archipel } from '../support/cli';
import { Instance, postText as post, prepareInstance as prepare, startInstance as start, stopInstance } from '../support/federation';
import { describeWithServer } from '../support/database-urls';

const dir = mkdtempSync(join(tmpdir(), 'archipel-witness-'));

// A log the test itself runs, witnessed by B under an exact origin.
const ORIGIN = 'test.log.example/fixture';
const logSeed = createHash('sha256').update('fixture log').digest();
const logPub = ed25519.getPublicKey(logSeed);
const logVkey = formatVerifierKey('test.log.example', logPub);
class Tree {
  store = new Map<string, MerkleNode>();
  size = 0;
  constructor(private readonly prefix: string) {}
  grow(to: number, prefix = this.prefix): this {
    for (; this.size < to; this.size++) {
      for (const n of appendLeaves(this.size, mapGetter(this.store.values()), [leafHash(Buffer.from(`${prefix}${this.size}`))]).nodes) this.store.set(`${n.level}/${n.index}`, n);
    }
    return this;
  }
  get = (l: number, i: number) => mapGetter(this.store.values())(l, i);
  note(size = this.size) {
    return signNote(formatCheckpoint(ORIGIN, size, root(size, this.get)), 'test.log.example', logPub, (m) => ed25519.sign(m, logSeed));
  }
  request(from: number, to = this.size) {
    return formatAddCheckpoint(from, from === 0 ? [] : consistencyProof(from, to, this.get), this.note(to));
  }
}

describeWithServer('instances witness each other (C2SP tlog-witness)', () => {
  let a: Instance;
  let b: Instance;
  let circle: string;
  let api: ApiClient;
  let alice: StatementSigner;

  beforeAll(async () => {
    a = await prepare(dir, 'a.test');
    b = await prepare(dir, 'b.test');
    a.env.WITNESSED_LOGS = b.noteKey;
    a.env.WITNESS_POLICY = `witness B ${b.witnessKey} ${b.url}/witness;quorum B`;
    b.env.WITNESSED_LOGS = `${a.noteKey};${ORIGIN} ${logVkey}`;
    b.env.WITNESS_POLICY = `witness A ${a.witnessKey} ${a.url}/witness;quorum A`;
    await start(a);
    await start(b);
    api = new ApiClient(a.url);
    alice = await api.register('Alice');
    circle = await api.circle(alice, 'Commons', {});
  });

  afterAll(async () => {
    for (const n of [a, b]) await stopInstance(n);
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes its witness key, and serves a circle checkpoint cosigned by the other instance', async () => {
    const described = (await (await fetch(`${b.url}/witness`)).json()) as { key: string };
    expect(described.key).toBe(b.witnessKey);
    const note = await eventually(async () => {
      const res = await fetch(`${a.url}/api/v1/circles/${circle}/checkpoint?cosigned=1`);
      return res.status === 200 ? res.text() : null;
    }, 30_000, 'a cosigned checkpoint');
    expect(cosigners(note, [parseWitnessKey(b.witnessKey)])).toEqual(['b.test/witness']);
    expect(note.startsWith(`a.test/circles/${circle}\n`)).toBe(true);
    // The registry's checkpoint is witnessed too.
    await eventually(async () => (await fetch(`${a.url}/api/v1/registry/checkpoint?cosigned=1`)).status === 200, 30_000, 'a cosigned registry checkpoint');
  });

  it('archipel verify accepts it with the witness key, and refuses it when the quorum is not met', async () => {
    const ok = await archipel('verify', '--instance', a.url, '--circle', circle, '--witness', b.witnessKey, '--quorum', '1');
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/OK cosigned by 1 witness\(es\): b.test\/witness/);
    const stranger = formatWitnessKey('c.test/witness', ed25519.getPublicKey(randomBytes(32)));
    const short = await archipel('verify', '--instance', a.url, '--circle', circle, '--witness', b.witnessKey, stranger, '--quorum', '2');
    expect(short.status).toBe(1);
    expect(short.stderr).toMatch(/QUORUM_NOT_MET/);
  });

  describe('the client resyncs on 409 when the witness knows the log better than the client thinks', () => {
    let sql: Client;
    beforeAll(async () => {
      sql = new Client({ connectionString: a.db.url });
      await sql.connect();
    });
    afterAll(() => sql.end());

    const cosignedSize = async () => {
      const res = await fetch(`${a.url}/api/v1/circles/${circle}/checkpoint?cosigned=1`);
      if (res.status !== 200) return null;
      const note = await res.text();
      return cosigners(note, [parseWitnessKey(b.witnessKey)]).length === 1 ? parseCheckpoint(splitNote(note).text).size : null;
    };
    /** What B's record of A's circle is, read from B's database. */
    const witnessSize = async () => {
      const other = new Client({ connectionString: b.db.url });
      await other.connect();
      try {
        const { rows } = await other.query(`SELECT size FROM witness_state WHERE origin = $1`, [`a.test/circles/${circle}`]);
        return rows.length ? Number(rows[0].size) : null;
      } finally {
        await other.end();
      }
    };
    const resyncs = (calls: unknown[][]) => calls.map(([m]) => String(m)).filter((m) => /^Witness B: .* [1-9][0-9]* resynced/.test(m));

    it('its progress lost (it believes B never saw the log): it sends old 0, takes B\'s size from the 409 and is cosigned again', async () => {
      const size = await eventually(cosignedSize, 30_000, 'a cosigned checkpoint');
      expect(await witnessSize()).toBe(size);
      const said = jest.spyOn(Logger.prototype, 'log');
      try {
        await sql.query(`DELETE FROM witness_progress WHERE circle = $1`, [circle]);
        await sql.query(`DELETE FROM checkpoint_cosignature WHERE circle = $1`, [circle]);
        expect(await eventually(cosignedSize, 30_000, 'cosigned again after the resync')).toBe(size);
        // The round's summary comes once its requests are done, just after the cosignature is stored.
        await eventually(async () => resyncs(said.mock.calls).length > 0 || null, 10_000, 'the round that resynced');
      } finally {
        said.mockRestore();
      }
      const [progress] = (await sql.query(`SELECT size FROM witness_progress WHERE circle = $1`, [circle])).rows;
      expect(Number(progress.size)).toBe(size);
    });

    it('its progress behind B\'s record while the log grows: it resyncs from B\'s size and B cosigns the newer checkpoint', async () => {
      const bob = await api.register('Bob');
      await api.act(alice, 'member.invite', circle, { member: bob.id });
      const before = await eventually(async () => ((await cosignedSize()) ?? 0) >= 2 && (await cosignedSize()), 30_000, 'a cosigned checkpoint of two entries or more');
      const said = jest.spyOn(Logger.prototype, 'log');
      try {
        // The client believes B cosigned size 1; B has cosigned `before`.
        await sql.query(`UPDATE witness_progress SET size = 1 WHERE circle = $1`, [circle]);
        await api.act(bob, 'member.accept', circle, {});
        await eventually(async () => ((await cosignedSize()) ?? 0) > (before as number) || null, 30_000, 'the grown log cosigned');
        await eventually(async () => resyncs(said.mock.calls).length > 0 || null, 10_000, 'the round that resynced');
      } finally {
        said.mockRestore();
      }
      expect(await witnessSize()).toBe(await cosignedSize());
    });
  });

  it('answers every status of the spec', async () => {
    const url = `${b.url}/witness/add-checkpoint`;
    const tree = new Tree('x').grow(4);
    const first = await post(url, tree.request(0));
    expect(first.status).toBe(200);
    expect(cosigners(`${tree.note()}${first.text}`, [parseWitnessKey(b.witnessKey)])).toEqual(['b.test/witness']);
    // 409: another old size; the body is the witness's size
    tree.grow(6);
    const conflict = await post(url, tree.request(2));
    expect(conflict).toMatchObject({ status: 409, text: '4\n' });
    expect(conflict.type).toMatch(/^text\/x\.tlog\.size/);
    // 400: old above the size; malformed
    expect((await post(url, formatAddCheckpoint(9, [], tree.note(6)))).status).toBe(400);
    expect(await post(url, 'hello')).toMatchObject({ status: 400 });
    // 404: an origin not witnessed; 403: not signed by the log's key
    const stranger = signNote(formatCheckpoint('nobody.example/log', 1, new Uint8Array(32)), 'nobody.example', logPub, (m) => ed25519.sign(m, logSeed));
    expect((await post(url, formatAddCheckpoint(0, [], stranger))).status).toBe(404);
    const otherSeed = createHash('sha256').update('not the log').digest();
    const forged = signNote(formatCheckpoint(ORIGIN, 6, new Uint8Array(32)), 'test.log.example', ed25519.getPublicKey(otherSeed), (m) => ed25519.sign(m, otherSeed));
    expect((await post(url, formatAddCheckpoint(4, [], forged))).status).toBe(403);
    expect((await post(url, tree.request(4))).status).toBe(200);
  });

  type Evidence = { items: Array<{ id: number; origin: string; kind: string; size: number; knownSize: number; knownNote: string | null; note: string | null }> };
  const evidenceOf = async (origin: string) => ((await (await fetch(`${b.url}/witness/evidence`)).json()) as Evidence).items.filter((e) => e.origin === origin);
  const health = async () => ((await (await fetch(`${b.url}/health`)).json()) as { details: { witness: { forkEvidence: number; forkedOrigins: string[] } } }).details.witness;

  it('answers a consistency proof that does not verify 422, without raising a fork alarm', async () => {
    const url = `${b.url}/witness/add-checkpoint`;
    const alarms = jest.spyOn(Logger.prototype, 'error');
    try {
      // The honest checkpoint, genuinely signed (anyone can fetch it), with garbage proof lines.
      const garbage = formatAddCheckpoint(6, [randomBytes(32), randomBytes(32), randomBytes(32)], new Tree('x').grow(9).note());
      for (let i = 0; i < 3; i++) {
        const answer = await post(url, garbage);
        expect(answer.status).toBe(422);
        expect(JSON.parse(answer.text)).toMatchObject({ code: 'WITNESS_INCONSISTENT' });
      }
      expect(await evidenceOf(ORIGIN)).toEqual([]);
      expect((await health()).forkedOrigins).not.toContain(ORIGIN);
      expect(alarms.mock.calls.filter(([m]) => String(m).startsWith('FORK EVIDENCE'))).toEqual([]);
    } finally {
      alarms.mockRestore();
    }
  });

  it('keeps evidence of a proven fork with both signed notes, once, tells the operator, and refuses to cosign it', async () => {
    const url = `${b.url}/witness/add-checkpoint`;
    const alarms = jest.spyOn(Logger.prototype, 'error');
    try {
      // The same log, forked after 6 entries: same size 6 with another root, then a bigger size.
      const fork = new Tree('x').grow(5).grow(6, 'y');
      expect((await post(url, fork.request(6, 6))).status).toBe(409);
      expect((await post(url, fork.request(6, 6))).status).toBe(409); // shown again: kept once
      fork.grow(9, 'y');
      // A consistency proof that leads to the forked 9 from the forked 6: the log signed two trees.
      expect((await post(url, formatAddCheckpoint(6, consistencyProof(6, 9, fork.get), fork.note(9)))).status).toBe(422);
      const evidence = await evidenceOf(ORIGIN);
      expect(evidence.map((e) => e.kind).sort()).toEqual(['OTHER_ROOT_AT_OLD_SIZE', 'SAME_SIZE_OTHER_ROOT']);
      const same = evidence.find((e) => e.kind === 'SAME_SIZE_OTHER_ROOT')!;
      // Both checkpoints, as the log signed them: the one cosigned before and the one shown.
      expect(same).toMatchObject({ knownSize: 6, size: 6, knownNote: new Tree('x').grow(6).note(), note: fork.note(6) });
      expect(evidence.find((e) => e.kind === 'OTHER_ROOT_AT_OLD_SIZE')).toMatchObject({ knownSize: 6, size: 9, note: fork.note(9) });
      const told = alarms.mock.calls.map(([m]) => String(m)).filter((m) => m.startsWith('FORK EVIDENCE'));
      expect(told).toHaveLength(2);
      expect(told[0]).toMatch(new RegExp(`^FORK EVIDENCE #${same.id} for ${ORIGIN}: SAME_SIZE_OTHER_ROOT`));
      const shown = await health();
      expect(shown.forkEvidence).toBeGreaterThanOrEqual(2);
      expect(shown.forkedOrigins).toContain(ORIGIN);
    } finally {
      alarms.mockRestore();
    }
  });

  it('never cosigns two inconsistent checkpoints of one origin under concurrent requests', async () => {
    const url = `${b.url}/witness/add-checkpoint`;
    const honest = new Tree('x').grow(20);
    const forked = new Tree('x').grow(6).grow(20, 'z');
    const bodies = Array.from({ length: 16 }, (_, i) => (i % 2 ? honest : forked).request(6, 20));
    const answers = await Promise.all(bodies.map((body) => post(url, body)));
    const won = answers.map((r, i) => (r.status === 200 ? (i % 2 ? 'honest' : 'forked') : null)).filter(Boolean);
    expect(won.length).toBeGreaterThan(0);
    expect(new Set(won).size).toBe(1);
  });

  it('keeps at most 64 rows of evidence per origin, however many forks it is shown', async () => {
    const url = `${b.url}/witness/add-checkpoint`;
    const kept = (await evidenceOf(ORIGIN)).length;
    expect(kept).toBeGreaterThan(0);
    // 70 more forks, each genuinely signed by the log's key: same size as the record (20), another root.
    for (let i = 0; i < 70; i++) {
      const forked = signNote(formatCheckpoint(ORIGIN, 20, randomBytes(32)), 'test.log.example', logPub, (m) => ed25519.sign(m, logSeed));
      expect((await post(url, formatAddCheckpoint(20, [], forked))).status).toBe(409);
    }
    const rows = ((await (await fetch(`${b.url}/witness/evidence?limit=1000`)).json()) as Evidence).items.filter((e) => e.origin === ORIGIN);
    expect(rows).toHaveLength(64);
  });

  it('keeps its record across a restart', async () => {
    await stopInstance(b, false);
    await start(b);
    const answer = await post(`${b.url}/witness/add-checkpoint`, new Tree('x').grow(3).request(0));
    expect(answer).toMatchObject({ status: 409, text: '20\n' });
  });
});
