// SPEC §8: a decision adopted in a leaf circle appears as a receipt in every ancestor's log, with a
// valid inclusion proof against the child's signed checkpoint; a motion adopted with ratify: true
// opens a ratification in the parent, whose adoption propagates in turn.
import { parseCompact } from '../../src/core/formats/statement';
import { StatementSigner } from '../../src/core/formats/statement-signer';
import { formatTimestamp } from '../../src/core/formats/canonical-json';
import { decodeEntryLine } from '../../src/core/formats/entry';
import { verifyInclusion } from '../../src/core/formats/merkle';
import { openNote, parseCheckpoint } from '../../src/core/formats/signed-note';
import { derivedId } from '../../src/core/formats/ids';
import { eventually, startTestApp, TestApp } from '../support/app';
import { ApiClient } from '../support/client';
import { verifyCircles } from '../support/cli';

describe('a federation four circles deep', () => {
  let t: TestApp;
  let api: ApiClient;
  let alice: StatementSigner;
  let noteKey: string;

  beforeAll(async () => {
    t = await startTestApp({ worker: true, env: { MIN_PROPOSAL_WINDOW_SECONDS: '1' } });
    api = new ApiClient(t.url);
    alice = await api.register('Alice');
    noteKey = (await api.get<{ noteKey: string }>('/.well-known/archipel.json')).body.noteKey;
  });
  afterAll(() => t.close());

  const statements = async (circle: string) =>
    (await api.get(`/api/v1/circles/${circle}/log`)).text
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const d = decodeEntryLine(line);
        if (!d.ok) throw new Error(d.reason);
        return { seq: d.entry.seq, leaf: d.leaf, jws: d.entry.jws, payload: parseCompact(d.entry.jws).payload };
      });

  const receiptsOf = async (ancestor: string) =>
    (await statements(ancestor)).filter((s) => s.payload.type === 'child.decision').map((s) => s.payload.body as Record<string, never>);

  /** The receipt proves the child's entry against the child's signed checkpoint. */
  const proven = async (receipt: { child: string; entry: { seq: number; leaf: string }; checkpoint: string; proof: string[] }) => {
    const opened = openNote(receipt.checkpoint, noteKey);
    if (!opened.ok) return false;
    const cp = parseCheckpoint(opened.text);
    if (cp.origin !== `test.archipel.example/circles/${receipt.child}`) return false;
    const child = await statements(receipt.child);
    if (Buffer.from(child[receipt.entry.seq].leaf).toString('base64url') !== receipt.entry.leaf) return false;
    return verifyInclusion(Buffer.from(receipt.entry.leaf, 'base64url'), receipt.entry.seq, cp.size, receipt.proof.map((p) => Buffer.from(p, 'base64url')), cp.root);
  };

  it('carries a leaf decision to the root with proofs, and the ratification in turn', async () => {
    const root = await api.circle(alice, 'Federation', { regime: 'unanimity' });
    const region = await api.circle(alice, 'Region', { parent: root, regime: 'unanimity' });
    const town = await api.circle(alice, 'Town', { parent: region, regime: 'unanimity' });
    const street = await api.circle(alice, 'Street', { parent: town, regime: 'unanimity' });

    const { id: motion } = await api.act(alice, 'proposal.open', street, {
      kind: 'motion',
      title: 'Plant trees',
      text: 'Ten lime trees along the street.',
      closesAt: formatTimestamp(Date.now() + 1500),
      ratify: true,
    });
    await api.act(alice, 'vote.cast', street, { proposal: motion as string, choice: 'yes' });

    // The receipt of the street's decision reaches the town, the region and the root.
    for (const ancestor of [town, region, root]) {
      const receipt = await eventually(async () => (await receiptsOf(ancestor)).find((r) => r.proposal === motion), 30_000, `the receipt in ${ancestor}`);
      expect(receipt).toMatchObject({ child: street, proposal: motion, outcome: 'adopted' });
      expect(await proven(receipt as never)).toBe(true);
    }

    // The town was asked to ratify; the instance opened the motion there.
    const ratification = await eventually(async () => {
      const open = (await statements(town)).find((s) => s.payload.type === 'proposal.open' && (s.payload.body as { ratifies?: unknown }).ratifies);
      return open;
    }, 30_000, 'the ratification motion');
    expect(ratification.payload.body).toMatchObject({ kind: 'motion', title: 'Plant trees', topic: null, ratifies: { circle: street, proposal: motion } });
    // Its id derives from its opening statement (SPEC §3.7), like any proposal's.
    const proposalId = derivedId(ratification.jws);
    expect((await api.get<Record<string, unknown>>('/api/v1/proposals/' + proposalId)).body).toMatchObject({
      circle: town,
      regime: 'unanimity',
      status: 'open',
      proposed: { ratifies: { circle: street, proposal: motion } },
    });
    await api.act(alice, 'vote.cast', town, { proposal: proposalId, choice: 'yes' });

    // Adopted in the town, the ratification propagates to the region and the root.
    for (const ancestor of [region, root]) {
      const receipt = await eventually(async () => (await receiptsOf(ancestor)).find((r) => r.proposal === proposalId), 30_000, `the ratification receipt in ${ancestor}`);
      expect(receipt).toMatchObject({ child: town, outcome: 'adopted' });
      expect(await proven(receipt as never)).toBe(true);
    }
    // Exactly one receipt per decision per ancestor, and the root indexes both decisions.
    const rootReceipts = await receiptsOf(root);
    expect(rootReceipts.map((r) => r.proposal).sort()).toEqual([motion, proposalId].sort());
    expect((await receiptsOf(town)).filter((r) => r.proposal === motion)).toHaveLength(1);
    // Every log of the federation verifies, receipts and the ratification included.
    expect(await verifyCircles(t.url, [street, town, region, root])).toBe(2);
  });
});
