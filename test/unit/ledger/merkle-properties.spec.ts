import fc from 'fast-check';
import {
  MerkleNode,
  NodeGetter,
  NodeKey,
  appendLeaves,
  consistencyProof,
  consistencyProofKeys,
  frontierKeys,
  inclusionProof,
  inclusionProofKeys,
  mapGetter,
  root,
  rootFromLeafHashes,
  StreamingMerkle,
  verifyConsistency,
  verifyInclusion,
} from '../../../src/core/formats/merkle';
import { hex, referenceConsistency, referencePath, testLeaves } from './merkle-reference';

const keyOf = (level: number, index: number) => `${level}:${index}`;

/** A node store filled by appendLeaves, as the server's table would be. */
class Store {
  readonly nodes = new Map<string, MerkleNode>();
  size = 0;
  readonly roots: Uint8Array[] = []; // roots[s] = root of size s, for every size reached at a batch boundary

  append(leaves: Uint8Array[]): Uint8Array {
    const res = appendLeaves(this.size, strictGetter(this, frontierKeys(this.size)), leaves);
    for (const n of res.nodes) {
      // Perfect nodes never change: an append must never produce one twice.
      if (this.nodes.has(keyOf(n.level, n.index))) throw new Error(`node ${keyOf(n.level, n.index)} produced twice`);
      this.nodes.set(keyOf(n.level, n.index), n);
    }
    this.size = res.size;
    return res.root;
  }
}

/** A getter that serves only `allowed` keys and records what it was asked. */
function strictGetter(store: Store, allowed: NodeKey[], asked?: Set<string>): NodeGetter {
  const ok = new Set(allowed.map((k) => keyOf(k.level, k.index)));
  return (level, index) => {
    const k = keyOf(level, index);
    if (!ok.has(k)) throw new Error(`unexpected read of node ${k}`);
    asked?.add(k);
    const n = store.nodes.get(k);
    if (!n) throw new Error(`node ${k} missing from the store`);
    return n.hash;
  };
}

// Produces a proof through a getter serving only `keys`, and throws unless the
// keys are distinct and every one of them was read (exactly sufficient).
// Plain checks rather than expect(): this runs hundreds of thousands of times.
function proveWithExactKeys(store: Store, keys: NodeKey[], produce: (get: NodeGetter) => Uint8Array[]): Uint8Array[] {
  const names = new Set(keys.map((k) => keyOf(k.level, k.index)));
  if (names.size !== keys.length) throw new Error('duplicate keys');
  const asked = new Set<string>();
  const proof = produce(strictGetter(store, keys, asked));
  if (asked.size !== names.size) throw new Error(`keys ${[...names].filter((n) => !asked.has(n))} were not needed`);
  return proof;
}

function buildStore(leaves: Uint8Array[], batches: number[]): { store: Store; boundaries: number[] } {
  const store = new Store();
  const boundaries = [0];
  let at = 0;
  for (const b of batches) {
    const end = Math.min(leaves.length, at + b);
    store.append(leaves.slice(at, end));
    at = end;
    boundaries.push(at);
  }
  if (at < leaves.length) {
    store.append(leaves.slice(at));
    boundaries.push(leaves.length);
  }
  return { store, boundaries };
}

const flipBit = (b: Uint8Array, bit: number): Uint8Array => {
  const c = new Uint8Array(b);
  c[bit >> 3] ^= 1 << (bit & 7);
  return c;
};

const LEAVES = testLeaves(320);
const refRoots = Array.from({ length: LEAVES.length + 1 }, (_, n) => hex(rootFromLeafHashes(LEAVES.slice(0, n))));

describe('Merkle tree over a node store', () => {
  it('agrees with the reference MTH and the streaming hasher, whatever the batch sizes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.array(fc.integer({ min: 1, max: 64 }), { maxLength: 40 }), (size, batches) => {
        const leaves = LEAVES.slice(0, size);
        const store = new Store();
        const stream = new StreamingMerkle();
        let at = 0;
        for (const b of [...batches, size]) {
          const end = Math.min(size, at + b);
          const r = store.append(leaves.slice(at, end));
          for (let i = at; i < end; i++) stream.push(leaves[i]);
          at = end;
          expect(hex(r)).toBe(refRoots[at]);
          expect(hex(stream.root())).toBe(refRoots[at]);
          expect(stream.size).toBe(at);
          expect(hex(root(at, strictGetter(store, frontierKeys(at))))).toBe(refRoots[at]);
        }
        // A tree of n leaves has 2n − popcount(n) perfect nodes.
        const popcount = size.toString(2).replace(/0/g, '').length;
        expect(store.nodes.size).toBe(2 * size - popcount);
      }),
      { numRuns: 60 },
    );
  });

  it('matches RFC 6962 PATH and PROOF exactly, for every index and every pair of sizes up to 48', () => {
    const { store } = buildStore(LEAVES.slice(0, 48), [1, 2, 3, 5, 8, 13]);
    const get = mapGetter(store.nodes.values());
    const roots = Array.from({ length: 49 }, (_, n) => root(n, get));
    const failures: string[] = [];
    for (let to = 1; to <= 48; to++) {
      const leaves = LEAVES.slice(0, to);
      for (let i = 0; i < to; i++) {
        const path = proveWithExactKeys(store, inclusionProofKeys(i, to), (g) => inclusionProof(i, to, g));
        if (path.map(hex).join() !== referencePath(i, leaves).map(hex).join()) failures.push(`PATH(${i}, ${to})`);
        if (!verifyInclusion(LEAVES[i], i, to, path, roots[to])) failures.push(`verify PATH(${i}, ${to})`);
      }
      for (let from = 0; from <= to; from++) {
        const path = proveWithExactKeys(store, consistencyProofKeys(from, to), (g) => consistencyProof(from, to, g));
        if (path.map(hex).join() !== referenceConsistency(from, leaves).map(hex).join()) failures.push(`PROOF(${from}, ${to})`);
        if (!verifyConsistency(from, to, roots[from], roots[to], path)) failures.push(`verify PROOF(${from}, ${to})`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('proves and verifies every inclusion and consistency in randomly batched trees up to 300 leaves', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.array(fc.integer({ min: 1, max: 100 }), { maxLength: 12 }), (size, batches) => {
        const { store, boundaries } = buildStore(LEAVES.slice(0, size), batches);
        const get = mapGetter(store.nodes.values());
        const roots = Array.from({ length: size + 1 }, (_, n) => root(n, get));
        const failures: string[] = [];
        if (hex(roots[size]) !== refRoots[size]) failures.push(`root(${size})`);
        for (let i = 0; i < size; i++) {
          const path = proveWithExactKeys(store, inclusionProofKeys(i, size), (g) => inclusionProof(i, size, g));
          if (!verifyInclusion(LEAVES[i], i, size, path, roots[size])) failures.push(`inclusion ${i}`);
        }
        for (let from = 0; from <= size; from++) {
          const path = proveWithExactKeys(store, consistencyProofKeys(from, size), (g) => consistencyProof(from, size, g));
          if (!verifyConsistency(from, size, roots[from], roots[size], path)) failures.push(`consistency ${from}`);
        }
        // Between the sizes the log actually went through (its checkpoints).
        for (const a of boundaries) {
          for (const b of boundaries) {
            if (a <= b && !verifyConsistency(a, b, roots[a], roots[b], consistencyProof(a, b, get))) failures.push(`consistency ${a}→${b}`);
          }
        }
        expect(failures).toEqual([]);
      }),
      { numRuns: 20 },
    );
  });
});

describe('proof verification refuses tampering', () => {
  const N = 300;
  const { store } = buildStore(LEAVES.slice(0, N), [100, 100, 100]);
  const get = mapGetter(store.nodes.values());
  const rootAt = (n: number) => root(n, get);
  const roots = Array.from({ length: N + 1 }, (_, n) => rootAt(n));
  const sameProof = (a: Uint8Array[], b: Uint8Array[]) => a.length === b.length && a.every((x, i) => hex(x) === hex(b[i]));

  const inclusionCase = fc
    .integer({ min: 1, max: N })
    .chain((size) => fc.record({ size: fc.constant(size), index: fc.integer({ min: 0, max: size - 1 }) }));
  const consistencyCase = fc
    .integer({ min: 0, max: N })
    .chain((to) => fc.record({ to: fc.constant(to), from: fc.integer({ min: 0, max: to }) }));

  it('inclusion: any single bit flipped in a path element, the root or the leaf', () => {
    fc.assert(
      fc.property(inclusionCase, fc.nat(), fc.integer({ min: 0, max: 255 }), ({ size, index }, which, bit) => {
        const path = inclusionProof(index, size, get);
        const leaf = LEAVES[index];
        expect(verifyInclusion(leaf, index, size, path, roots[size])).toBe(true);
        expect(verifyInclusion(flipBit(leaf, bit), index, size, path, roots[size])).toBe(false);
        expect(verifyInclusion(leaf, index, size, path, flipBit(roots[size], bit))).toBe(false);
        if (path.length > 0) {
          const k = which % path.length;
          const bad = path.map((p, i) => (i === k ? flipBit(p, bit) : p));
          expect(verifyInclusion(leaf, index, size, bad, roots[size])).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('inclusion: every bit of every element of a deep proof', () => {
    const size = 300;
    const index = 137;
    const path = inclusionProof(index, size, get);
    let accepted = 0;
    for (let k = 0; k < path.length; k++) {
      for (let bit = 0; bit < 256; bit++) {
        const bad = path.map((p, i) => (i === k ? flipBit(p, bit) : p));
        if (verifyInclusion(LEAVES[index], index, size, bad, roots[size])) accepted++;
      }
    }
    expect(path.length).toBe(9);
    expect(accepted).toBe(0);
  });

  it('inclusion: a proof claimed for another index, or for another size with that size’s root, fails', () => {
    fc.assert(
      fc.property(inclusionCase, fc.integer({ min: 0, max: N }), fc.integer({ min: 1, max: N }), ({ size, index }, otherIndex, otherSize) => {
        const path = inclusionProof(index, size, get);
        if (otherIndex !== index) {
          expect(verifyInclusion(LEAVES[index], otherIndex, size, path, roots[size])).toBe(false);
        }
        if (otherSize !== size) {
          // Only a genuinely identical proof may pass, and with distinct leaves there is none.
          const genuine = index < otherSize && sameProof(path, inclusionProof(index, otherSize, get));
          expect(verifyInclusion(LEAVES[index], index, otherSize, path, roots[otherSize])).toBe(genuine);
        }
        // Dropping or adding an element.
        if (path.length > 0) expect(verifyInclusion(LEAVES[index], index, size, path.slice(1), roots[size])).toBe(false);
        expect(verifyInclusion(LEAVES[index], index, size, [...path, LEAVES[0]], roots[size])).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('inclusion: the audit path alone does not fix the size (RFC 9162 property, hence sizes come from signed checkpoints)', () => {
    // Leaf 0 of size 3 has path [l1, l2] and the same left/right walk as in size 4:
    // verifying against the size-3 root under size 4 succeeds.
    const path = inclusionProof(0, 3, get);
    expect(verifyInclusion(LEAVES[0], 0, 4, path, roots[3])).toBe(true);
    expect(verifyInclusion(LEAVES[0], 0, 4, path, roots[4])).toBe(false);
  });

  it('consistency: any single bit flipped in a path element or either root', () => {
    fc.assert(
      fc.property(consistencyCase, fc.nat(), fc.integer({ min: 0, max: 255 }), ({ from, to }, which, bit) => {
        const path = consistencyProof(from, to, get);
        expect(verifyConsistency(from, to, roots[from], roots[to], path)).toBe(true);
        expect(verifyConsistency(from, to, flipBit(roots[from], bit), roots[to], path)).toBe(false);
        // Every tree extends the empty one: from 0, the new root is not constrained.
        if (from > 0) expect(verifyConsistency(from, to, roots[from], flipBit(roots[to], bit), path)).toBe(false);
        if (path.length > 0) {
          const k = which % path.length;
          const bad = path.map((p, i) => (i === k ? flipBit(p, bit) : p));
          expect(verifyConsistency(from, to, roots[from], roots[to], bad)).toBe(false);
          expect(verifyConsistency(from, to, roots[from], roots[to], path.slice(0, -1))).toBe(false);
        }
        expect(verifyConsistency(from, to, roots[from], roots[to], [...path, LEAVES[0]])).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('consistency: every bit of every element of a deep proof', () => {
    const path = consistencyProof(173, 300, get);
    let accepted = 0;
    for (let k = 0; k < path.length; k++) {
      for (let bit = 0; bit < 256; bit++) {
        const bad = path.map((p, i) => (i === k ? flipBit(p, bit) : p));
        if (verifyConsistency(173, 300, roots[173], roots[300], bad)) accepted++;
      }
    }
    expect(path.length).toBeGreaterThan(5);
    expect(accepted).toBe(0);
  });

  it('consistency: a proof claimed for other sizes, with those sizes’ roots, fails', () => {
    fc.assert(
      fc.property(consistencyCase, consistencyCase, ({ from, to }, other) => {
        if (other.from === from && other.to === to) return;
        const path = consistencyProof(from, to, get);
        const genuine = sameProof(path, consistencyProof(other.from, other.to, get));
        expect(verifyConsistency(other.from, other.to, roots[other.from], roots[other.to], path)).toBe(genuine);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on malformed input', () => {
    const h = LEAVES[0];
    const junk: unknown[] = [null, undefined, 'x', 1.5, -1, NaN, Infinity, 2 ** 60, new Uint8Array(31), [h, null], {}, [new Uint8Array(33)]];
    for (const j of junk) {
      const a = j as never;
      expect(verifyInclusion(a, 0, 1, [], h)).toBe(false);
      expect(verifyInclusion(h, a, 1, [], h)).toBe(false);
      expect(verifyInclusion(h, 0, a, [], h)).toBe(false);
      expect(verifyInclusion(h, 0, 2, a, h)).toBe(false);
      expect(verifyInclusion(h, 0, 1, [], a)).toBe(false);
      expect(verifyConsistency(a, 2, h, h, [h])).toBe(false);
      expect(verifyConsistency(1, a, h, h, [h])).toBe(false);
      expect(verifyConsistency(1, 2, a, h, [h])).toBe(false);
      expect(verifyConsistency(1, 2, h, a, [h])).toBe(false);
      expect(verifyConsistency(1, 2, h, h, a)).toBe(false);
    }
    expect(verifyInclusion(h, 1, 1, [], h)).toBe(false); // index out of range
    expect(verifyConsistency(2, 1, roots[2], roots[1], [])).toBe(false); // from > to
    expect(verifyConsistency(0, 5, roots[0], roots[5], [])).toBe(true);
    expect(verifyConsistency(0, 5, roots[1], roots[5], [])).toBe(false);
    expect(verifyConsistency(0, 5, roots[0], roots[5], [h])).toBe(false);
    expect(verifyConsistency(5, 5, roots[5], roots[5], [])).toBe(true);
    expect(verifyConsistency(5, 5, roots[5], roots[5], [h])).toBe(false);
    expect(verifyConsistency(5, 5, roots[5], roots[4], [])).toBe(false);
  });
});

describe('argument checks and large trees', () => {
  it('refuses bad sizes and indices when producing proofs', () => {
    const get = mapGetter([]);
    expect(() => consistencyProof(3, 2, get)).toThrow(RangeError);
    expect(() => consistencyProofKeys(3, 2)).toThrow(RangeError);
    expect(consistencyProofKeys(0, 9)).toEqual([]);
    expect(consistencyProofKeys(9, 9)).toEqual([]);
    expect(() => inclusionProofKeys(5, 5)).toThrow(RangeError);
    expect(() => inclusionProofKeys(-1, 5)).toThrow(RangeError);
    expect(() => frontierKeys(1.5)).toThrow(RangeError);
    expect(() => appendLeaves(0, get, [new Uint8Array(31)])).toThrow(TypeError);
    expect(() => root(1, get)).toThrow(/not available/);
  });

  it('addresses nodes beyond 2^32 leaves without 32-bit truncation', () => {
    const size = 2 ** 40 + 2 ** 33 + 5;
    expect(frontierKeys(size)).toEqual([
      { level: 40, index: 0 },
      { level: 33, index: 2 ** 7 },
      { level: 2, index: (2 ** 40 + 2 ** 33) / 4 },
      { level: 0, index: 2 ** 40 + 2 ** 33 + 4 },
    ]);
    const keys = inclusionProofKeys(2 ** 35 + 1, size);
    expect(keys[0]).toEqual({ level: 0, index: 2 ** 35 });
    // 40 inner siblings, then the 3 frontier nodes to the right (folded into one path element).
    expect(keys).toHaveLength(40 + 3);
    expect(consistencyProofKeys(2 ** 34 + 2 ** 33, size)[0]).toEqual({ level: 33, index: 2 });
  });

  it('appends 20,000 leaves in batches of 2,000 reading only the frontier', () => {
    const leaves = testLeaves(20_000, 'big');
    const store = new Store();
    let r: Uint8Array = new Uint8Array();
    for (let i = 0; i < leaves.length; i += 2_000) r = store.append(leaves.slice(i, i + 2_000));
    const stream = new StreamingMerkle();
    leaves.forEach((l) => stream.push(l));
    expect(hex(r)).toBe(hex(stream.root()));
    expect(hex(r)).toBe(hex(rootFromLeafHashes(leaves)));
    expect(store.nodes.size).toBe(2 * 20_000 - (20_000).toString(2).replace(/0/g, '').length);
  });
});
