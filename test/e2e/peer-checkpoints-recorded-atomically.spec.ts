// SPEC §12.2: every checkpoint a peer shows is held to the newest one it showed before of the same
// log, and the check and the record are one step: two requests carrying inconsistent checkpoints of
// one log, at once, cannot both pass (the second is checked against the first, and the peer is
// flagged). A checkpoint is recorded only when `record` is called, after the request's other checks.
import { createServer, Server } from 'node:http';
import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { ed25519 } from '@noble/curves/ed25519';
import { openDataSource } from '../../src/database/data-source';
import { formatCheckpoint, formatVerifierKey, signNote } from '../../src/core/formats/signed-note';
import type { Checkpoint } from '../../src/core/formats/signed-note';
import { DomainError } from '../../src/core/rules/domain-error';
import type { FederationSettings } from '../../src/federation/federation-settings';
import { PeerClient } from '../../src/federation/peer-client';
import { PeersRepository, PinnedPeer } from '../../src/federation/peers.repository';
import { createTestDatabase, TestDatabase } from '../support/database';
import { freePort } from '../support/processes';
import { describeWithServer } from '../support/database-urls';

const PEER = 'c.test';
const seed = createHash('sha256').update('peer c.test').digest();
const pub = ed25519.getPublicKey(seed);

function shown(origin: string, size: number, label: string): { checkpoint: Checkpoint; note: string } {
  const root = new Uint8Array(createHash('sha256').update(label).digest());
  return { checkpoint: { origin, size, root }, note: signNote(formatCheckpoint(origin, size, root), PEER, pub, (m) => ed25519.sign(m, seed)) };
}

describeWithServer('a peer\'s checkpoints are checked and recorded in one step', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let repository: PeersRepository;
  let client: PeerClient;
  let peer: PinnedPeer;
  // The peer proves no consistency between inconsistent checkpoints: it answers 404.
  let server: Server;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource({ url: db.url, poolSize: 8 });
    repository = new PeersRepository(ds);
    const port = await freePort();
    server = createServer((_req, res) => res.writeHead(404, { 'content-type': 'application/json' }).end('{"code":"NOT_FOUND"}'));
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    const settings = { instanceName: 'a.test', timeoutMs: 5_000, peers: new Map([[PEER, { name: PEER, url: `http://127.0.0.1:${port}` }]]) } as unknown as FederationSettings;
    client = new PeerClient(settings, repository);
  });

  beforeEach(async () => {
    await ds.query(`DELETE FROM peer_checkpoint`);
    await ds.query(`DELETE FROM federation_peer`);
    peer = await repository.pin({ name: PEER, url: 'http://127.0.0.1', kid: 'kid', jwk: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(pub).toString('base64url') }, noteKey: formatVerifierKey(PEER, pub) });
  });

  afterAll(async () => {
    server?.close();
    await ds?.destroy();
    await db?.drop();
  });

  /** What a request does: hold the checkpoint, run its other checks (a moment), then record it. */
  const request = async (origin: string, s: { checkpoint: Checkpoint; note: string }) => {
    const held = await client.holdConsistent(peer, origin, s.note, s.checkpoint, { label: s.note });
    await new Promise((r) => setTimeout(r, 20));
    await client.record([held]);
  };

  const outcomes = (results: PromiseSettledResult<void>[]) =>
    results.map((r) => (r.status === 'fulfilled' ? 'ok' : r.reason instanceof DomainError ? r.reason.code : String(r.reason))).sort();

  it('two inconsistent checkpoints of the same size at once: one is recorded, the other proves an equivocation', async () => {
    const origin = `${PEER}/circles/one`;
    const results = await Promise.allSettled([request(origin, shown(origin, 5, 'x')), request(origin, shown(origin, 5, 'y'))]);
    expect(outcomes(results)).toEqual(['PEER_EQUIVOCATED', 'ok']);
    expect((await repository.peer(PEER))?.flaggedAt).not.toBeNull();
    const evidence = (await repository.evidence(PEER)).filter((e) => e.origin === origin);
    expect(evidence).toHaveLength(1);
    // The evidence holds both notes; the one recorded is the one that won.
    const [seen] = await ds.query(`SELECT note FROM peer_checkpoint WHERE origin = $1`, [origin]);
    expect([evidence[0].knownNote, evidence[0].note].sort()).toEqual([shown(origin, 5, 'x').note, shown(origin, 5, 'y').note].sort());
    expect(evidence[0].knownNote).toBe(seen.note);
  });

  it('two checkpoints of different sizes the peer cannot prove consistent, at once: one is recorded, the other refused', async () => {
    const origin = `${PEER}/circles/two`;
    const results = await Promise.allSettled([request(origin, shown(origin, 5, 'x')), request(origin, shown(origin, 7, 'y'))]);
    expect(outcomes(results)).toEqual(['PEER_EQUIVOCATED', 'ok']);
    expect((await repository.evidence(PEER)).filter((e) => e.origin === origin)).toHaveLength(1);
  });

  it('many requests at once: only one of two inconsistent checkpoints ever passes, as often as it is shown', async () => {
    const origin = `${PEER}/registry`;
    const labels = ['x', 'z', 'x', 'z', 'x', 'z'];
    const results = await Promise.allSettled(labels.map((l) => request(origin, shown(origin, 9, l))));
    const passed = new Set(labels.filter((_, i) => results[i].status === 'fulfilled'));
    expect(passed.size).toBe(1);
    expect(outcomes(results).filter((o) => o === 'ok')).toHaveLength(3);
    expect(outcomes(results).filter((o) => o === 'PEER_EQUIVOCATED')).toHaveLength(3);
    expect((await repository.seen(origin))?.note).toBe(shown(origin, 9, [...passed][0]).note);
  });

  it('records nothing until record is called', async () => {
    const origin = `${PEER}/circles/three`;
    const s = shown(origin, 3, 'x');
    const held = await client.holdConsistent(peer, origin, s.note, s.checkpoint);
    expect(await repository.seen(origin)).toBeNull();
    await client.record([held]);
    expect((await repository.seen(origin))?.size).toBe(3);
  });
});
