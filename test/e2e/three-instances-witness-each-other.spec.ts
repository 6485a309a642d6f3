// SPEC §12.1 with three instances: each witnesses the other two and asks both, quorum 2.
// `archipel verify` with the three witness keys and quorum 2 accepts every log. Then A lies: a
// checkpoint of the same circle, same size, another root, signed with A's own key. The witnesses
// refuse to cosign it and keep the evidence; served to a verifier through a proxy that rewrites
// A's answers (the split view), it fails verification with a quorum, also when the proxy answers
// the forked checkpoint (with a forked log that matches it) once and the honest cosigned one next.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cosigners, parseWitnessKey, splitNote } from '../../src/core/formats/cosignature';
import { leafHash, rootFromLeafHashes } from '../../src/core/formats/merkle';
import { formatCheckpoint, parseCheckpoint, signNote } from '../../src/core/formats/signed-note';
import { formatAddCheckpoint } from '../../src/core/formats/witness-protocol';
import { eventually } from '../support/app';
import { ApiClient } from '../support/client';
import { archipel } from '../support/cli';
import { Instance, postText, prepareInstance, startInstance, stopInstance, witnessEachOther } from '../support/federation';
import { freePort } from '../support/processes';
import { describeWithServer } from '../support/database-urls';

const dir = mkdtempSync(join(tmpdir(), 'archipel-three-'));

describeWithServer('three instances witness each other', () => {
  let all: Instance[] = [];
  const circles = new Map<Instance, string>();
  let proxy: Server | undefined;
  let alternating: Server | undefined;

  beforeAll(async () => {
    all = [await prepareInstance(dir, 'a.test'), await prepareInstance(dir, 'b.test'), await prepareInstance(dir, 'c.test')];
    witnessEachOther(all, 2);
    for (const i of all) await startInstance(i);
    for (const i of all) {
      const api = new ApiClient(i.url);
      const founder = await api.register(`Founder of ${i.name}`);
      const guest = await api.register(`Guest of ${i.name}`);
      circles.set(i, await api.circle(founder, `Commons ${i.name}`, { members: [guest] }));
    }
  });

  afterAll(async () => {
    proxy?.close();
    alternating?.close();
    for (const i of all) await stopInstance(i);
    rmSync(dir, { recursive: true, force: true });
  });

  const keys = () => all.map((i) => i.witnessKey);
  const cosignedNote = (i: Instance) =>
    eventually(async () => {
      const res = await fetch(`${i.url}/api/v1/circles/${circles.get(i)}/checkpoint?cosigned=1`);
      return res.status === 200 ? res.text() : null;
    }, 45_000, `a checkpoint of ${i.name} cosigned by two witnesses`);

  it('every log is cosigned by the two other instances, and archipel verify with quorum 2 accepts it', async () => {
    for (const i of all) {
      const note = await cosignedNote(i);
      const by = cosigners(note, keys().map(parseWitnessKey));
      expect(by.sort()).toEqual(all.filter((o) => o !== i).map((o) => `${o.name}/witness`).sort());
      await eventually(async () => (await fetch(`${i.url}/api/v1/registry/checkpoint?cosigned=1`)).status === 200, 45_000, 'a cosigned registry checkpoint');
      const run = await archipel('verify', '--instance', i.url, '--circle', circles.get(i) as string, '--witness', ...keys(), '--quorum', '2');
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/OK cosigned by 2 witness\(es\)/);
    }
  });

  it('a forked checkpoint of A is refused by both witnesses, kept as evidence, and fails verification with a quorum', async () => {
    const [a, b, c] = all;
    const circle = circles.get(a) as string;
    const honest = await cosignedNote(a);
    const { text, lines } = splitNote(honest);
    const cp = parseCheckpoint(text);
    // What a lying A would sign for a split view: the same size, another history.
    const forkedText = formatCheckpoint(cp.origin, cp.size, randomBytes(32));
    const forked = signNote(forkedText, a.name, a.signer.rawPublicKey, (m) => a.signer.signBytes(m));

    for (const w of [b, c]) {
      const answer = await postText(`${w.url}/witness/add-checkpoint`, formatAddCheckpoint(cp.size, [], forked));
      expect(answer).toMatchObject({ status: 409, text: `${cp.size}\n` });
      const evidence = (await (await fetch(`${w.url}/witness/evidence`)).json()) as { items: Array<{ origin: string; kind: string; size: number }> };
      expect(evidence.items).toEqual(expect.arrayContaining([expect.objectContaining({ origin: cp.origin, kind: 'SAME_SIZE_OTHER_ROOT', size: cp.size })]));
      const health = (await (await fetch(`${w.url}/health`)).json()) as { details: { witness: { forkedOrigins: string[] } } };
      expect(health.details.witness.forkedOrigins).toContain(cp.origin);
    }

    // The split view: a proxy serves A's answers, with the forked checkpoint in place of the real one
    // (the real cosignature lines copied under it).
    const port = await freePort();
    const forkedWithStolenLines = `${forked}${lines.slice(1).map((l) => l.line).join('')}`;
    proxy = createServer(async (req, res) => {
      if (req.url?.startsWith(`/api/v1/circles/${circle}/checkpoint`)) {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(forkedWithStolenLines);
        return;
      }
      const upstream = await fetch(`${a.url}${req.url}`);
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream' });
      res.end(Buffer.from(await upstream.arrayBuffer()));
    });
    await new Promise<void>((r) => proxy!.listen(port, '127.0.0.1', () => r()));
    const run = await archipel('verify', '--instance', `http://127.0.0.1:${port}`, '--circle', circle, '--witness', ...keys(), '--quorum', '2');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/QUORUM_NOT_MET/);
    // And the witnesses still cosign A's honest history afterwards.
    const again = await cosignedNote(a);
    expect(cosigners(again, keys().map(parseWitnessKey))).toHaveLength(2);
  });

  it('a split view answering a forked checkpoint, then the honest cosigned one, fails verification with a quorum', async () => {
    const a = all[0];
    const circle = circles.get(a) as string;
    const honest = await cosignedNote(a);
    const cp = parseCheckpoint(splitNote(honest).text);
    // The forked history: the same entries but the last one recorded a millisecond later. Every
    // entry still verifies and replays; the log's root, signed by A's key, differs.
    const lines = (await (await fetch(`${a.url}/api/v1/circles/${circle}/log`)).text()).split('\n').slice(0, cp.size);
    const last = JSON.parse(lines[cp.size - 1]) as { recordedAt: string };
    const later = new Date(Date.parse(last.recordedAt) + 1).toISOString();
    lines[cp.size - 1] = lines[cp.size - 1].replace(`"recordedAt":"${last.recordedAt}"`, `"recordedAt":"${later}"`);
    expect(lines[cp.size - 1]).toContain(later);
    const forkedLog = `${lines.join('\n')}\n`;
    const forkedRoot = rootFromLeafHashes(lines.map((l) => leafHash(Buffer.from(l))));
    const forked = signNote(formatCheckpoint(cp.origin, cp.size, forkedRoot), a.name, a.signer.rawPublicKey, (m) => a.signer.signBytes(m));

    // A proxy in front of A serving the forked log, and its circle checkpoint forked and honest in turn.
    let answers = 0;
    alternating = createServer(async (req, res) => {
      if (req.url?.startsWith(`/api/v1/circles/${circle}/checkpoint`)) {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(answers++ % 2 === 0 ? forked : honest);
        return;
      }
      if (req.url?.startsWith(`/api/v1/circles/${circle}/log`)) {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' }).end(forkedLog);
        return;
      }
      const upstream = await fetch(`${a.url}${req.url}`);
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream' });
      res.end(Buffer.from(await upstream.arrayBuffer()));
    });
    const port = await freePort();
    await new Promise<void>((r) => alternating!.listen(port, '127.0.0.1', () => r()));
    const through = `http://127.0.0.1:${port}`;

    // The forked view alone is a valid log under A's key: only the witnesses tell it apart.
    const plain = await archipel('verify', '--instance', through, '--circle', circle);
    expect(plain.stderr).toBe('');
    expect(plain.status).toBe(0);
    answers = 0;
    const run = await archipel('verify', '--instance', through, '--circle', circle, '--witness', ...keys(), '--quorum', '2');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/QUORUM_NOT_MET/);
    expect(answers).toBe(1);
  });
});
