import vectors from '../../fixtures/vectors/rfc6962.json';
import {
  EMPTY_ROOT,
  MerkleNode,
  appendLeaves,
  consistencyProof,
  consistencyProofKeys,
  frontierKeys,
  inclusionProof,
  inclusionProofKeys,
  leafHash,
  mapGetter,
  nodeHash,
  root,
  rootFromLeafHashes,
  sha256,
  StreamingMerkle,
  verifyConsistency,
  verifyInclusion,
} from '../../../src/core/formats/merkle';
import { hex, unhex } from './merkle-reference';

const leaves = vectors.leavesHex.map(unhex);
const leafHashes = leaves.map(leafHash);

// The node store the server would hold after appending the 8 vector leaves one at a time.
function buildStore(): Map<string, MerkleNode> {
  const store = new Map<string, MerkleNode>();
  let size = 0;
  for (const h of leafHashes) {
    const res = appendLeaves(size, mapGetter(store.values()), [h]);
    for (const n of res.nodes) store.set(`${n.level}:${n.index}`, n);
    size = res.size;
  }
  return store;
}

describe('RFC 6962 vectors', () => {
  const store = buildStore();
  const get = mapGetter(store.values());
  const rootOf = (size: number) => root(size, get);

  it('hashes leaves as SHA-256(0x00 ‖ data)', () => {
    expect(leafHashes.map(hex)).toEqual(vectors.leafHashes);
  });

  it('has the empty root SHA-256("")', () => {
    expect(hex(EMPTY_ROOT)).toBe(vectors.roots['0']);
    expect(hex(sha256())).toBe(vectors.roots['0']);
    expect(hex(root(0, mapGetter([])))).toBe(vectors.roots['0']);
  });

  it('hashes interior nodes as SHA-256(0x01 ‖ l ‖ r)', () => {
    expect(hex(nodeHash(leafHashes[0], leafHashes[1]))).toBe(vectors.roots['2']);
  });

  it.each(Object.entries(vectors.roots))('computes the root of size %s from the node store, the stream and the reference', (size, expected) => {
    const n = Number(size);
    expect(hex(rootOf(n))).toBe(expected);
    expect(hex(rootFromLeafHashes(leafHashes.slice(0, n)))).toBe(expected);
    const s = new StreamingMerkle();
    leafHashes.slice(0, n).forEach((h) => s.push(h));
    expect(s.size).toBe(n);
    expect(hex(s.root())).toBe(expected);
  });

  it('reports the root of each append', () => {
    let size = 0;
    const store2 = new Map<string, MerkleNode>();
    for (const h of leafHashes) {
      const res = appendLeaves(size, mapGetter(store2.values()), [h]);
      res.nodes.forEach((n) => store2.set(`${n.level}:${n.index}`, n));
      size = res.size;
      expect(hex(res.root)).toBe(vectors.roots[String(size) as keyof typeof vectors.roots]);
    }
    // All 8 leaves at once give the same nodes.
    const batch = appendLeaves(0, mapGetter([]), leafHashes);
    expect(hex(batch.root)).toBe(vectors.roots['8']);
    expect(new Set(batch.nodes.map((n) => `${n.level}:${n.index}:${hex(n.hash)}`))).toEqual(
      new Set([...store2.values()].map((n) => `${n.level}:${n.index}:${hex(n.hash)}`)),
    );
  });

  it('stores exactly the perfect nodes', () => {
    expect([...store.keys()].sort()).toEqual(
      ['0:0', '0:1', '0:2', '0:3', '0:4', '0:5', '0:6', '0:7', '1:0', '1:1', '1:2', '1:3', '2:0', '2:1', '3:0'].sort(),
    );
    expect(frontierKeys(7)).toEqual([
      { level: 2, index: 0 },
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
  });

  it.each(vectors.inclusionProofs)('produces and verifies the inclusion proof of leaf $index in size $size', ({ index, size, path }) => {
    const keys = inclusionProofKeys(index, size);
    const proof = inclusionProof(index, size, mapGetter(keys.map((k) => store.get(`${k.level}:${k.index}`) as MerkleNode)));
    expect(proof.map(hex)).toEqual(path);
    expect(verifyInclusion(leafHashes[index], index, size, path.map(unhex), rootOf(size))).toBe(true);
  });

  it.each(vectors.consistencyProofs)('produces and verifies the consistency proof from $from to $to', ({ from, to, path }) => {
    const keys = consistencyProofKeys(from, to);
    const proof = consistencyProof(from, to, mapGetter(keys.map((k) => store.get(`${k.level}:${k.index}`) as MerkleNode)));
    expect(proof.map(hex)).toEqual(path);
    expect(verifyConsistency(from, to, rootOf(from), rootOf(to), path.map(unhex))).toBe(true);
  });
});
