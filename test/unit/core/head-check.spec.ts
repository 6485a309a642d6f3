// The writer's cheap check of a head (src/core/verify/head-check.ts): any disagreement between the
// head, the stored Merkle nodes and the newest signed checkpoint is found, and an honest log passes.
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { appendLeaves, EMPTY_ROOT, frontierKeys, mapGetter, MerkleNode, StreamingMerkle } from '../../../src/core/formats/merkle';
import { checkHead, checkSignedCheckpoint } from '../../../src/core/verify/head-check';

function honestLog(size: number) {
  const leaves = Array.from({ length: size }, () => new Uint8Array(randomBytes(32)));
  const nodes = appendLeaves(0, () => {
    throw new Error('empty');
  }, leaves).nodes;
  const byKey = new Map(nodes.map((n) => [`${n.level}:${n.index}`, n]));
  const frontierAt = (n: number): MerkleNode[] => frontierKeys(n).map((k) => byKey.get(`${k.level}:${k.index}`) as MerkleNode);
  const rootAt = (n: number) => {
    const m = new StreamingMerkle();
    leaves.slice(0, n).forEach((l) => m.push(l));
    return m.root();
  };
  return { leaves, frontierAt, rootAt };
}

describe('checkHead', () => {
  it('passes an honest head at every size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), (size) => {
        const log = honestLog(size);
        expect(checkHead({ size, root: log.rootAt(size), lastLeaf: log.leaves[size - 1], frontier: log.frontierAt(size), lastNode: log.leaves[size - 1] })).toBeNull();
      }),
      { numRuns: 40 },
    );
  });

  it('passes an empty log and refuses one with a last leaf', () => {
    expect(checkHead({ size: 0, root: EMPTY_ROOT, lastLeaf: null, frontier: [], lastNode: null })).toBeNull();
    expect(checkHead({ size: 0, root: EMPTY_ROOT, lastLeaf: new Uint8Array(32), frontier: [], lastNode: null })?.code).toBe('HEAD_MISMATCH');
  });

  it('finds a changed root, size, frontier node or last leaf', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 200 }), fc.integer({ min: 0, max: 3 }), (size, what) => {
        const log = honestLog(size);
        const head = { size, root: log.rootAt(size), lastLeaf: log.leaves[size - 1], frontier: log.frontierAt(size), lastNode: log.leaves[size - 1] };
        if (what === 0) head.root = new Uint8Array(randomBytes(32));
        if (what === 1) head.size = size - 1;
        if (what === 2) head.frontier = head.frontier.map((n, i) => (i === 0 ? { ...n, hash: new Uint8Array(randomBytes(32)) } : n));
        if (what === 3) head.lastLeaf = new Uint8Array(randomBytes(32));
        expect(checkHead(head)?.code).toBe('HEAD_MISMATCH');
      }),
      { numRuns: 80 },
    );
  });

  it('treats a missing or malformed node as a mismatch, not a crash', () => {
    const log = honestLog(5);
    expect(checkHead({ size: 5, root: log.rootAt(5), lastLeaf: log.leaves[4], frontier: log.frontierAt(5).slice(1), lastNode: log.leaves[4] })?.code).toBe('HEAD_MISMATCH');
    const short = log.frontierAt(5).map((n) => ({ ...n, hash: n.hash.subarray(0, 16) }));
    expect(checkHead({ size: 5, root: log.rootAt(5), lastLeaf: log.leaves[4], frontier: short, lastNode: log.leaves[4] })?.code).toBe('HEAD_MISMATCH');
  });
});

describe('checkHead with the head this process committed', () => {
  const headOf = (log: ReturnType<typeof honestLog>, size: number) => ({
    size,
    root: log.rootAt(size),
    lastLeaf: log.leaves[size - 1],
    frontier: log.frontierAt(size),
    lastNode: log.leaves[size - 1],
  });

  it('passes the head it committed, and trusts its own root for it (nothing hashed again)', () => {
    const log = honestLog(13);
    const head = headOf(log, 13);
    expect(checkHead(head, { size: 13, root: head.root, frontier: log.frontierAt(13) })).toBeNull();
    // What it committed is taken as computed: a root the stored frontier does not give passes only
    // because the committed record names that very root and frontier.
    const other = new Uint8Array(randomBytes(32));
    expect(checkHead({ ...head, root: other }, { size: 13, root: other, frontier: log.frontierAt(13) })).toBeNull();
    expect(checkHead({ ...head, root: other })?.code).toBe('HEAD_MISMATCH');
  });

  it('trusts its own root whatever order the stored frontier comes in (SQL returns it levels rising)', () => {
    const log = honestLog(13); // frontier: levels 3, 2, 0
    const other = new Uint8Array(randomBytes(32));
    const stored = [...log.frontierAt(13)].reverse();
    expect(checkHead({ ...headOf(log, 13), root: other, frontier: stored }, { size: 13, root: other, frontier: log.frontierAt(13) })).toBeNull();
    const swapped = stored.map((n, i) => (i === 0 ? { ...n, hash: stored[1].hash } : i === 1 ? { ...n, hash: stored[0].hash } : n));
    expect(checkHead({ ...headOf(log, 13), root: other, frontier: swapped }, { size: 13, root: other, frontier: log.frontierAt(13) })?.code).toBe('HEAD_MISMATCH');
  });

  it('hashes again, and finds the change, when the stored head or frontier differs from what it committed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 200 }), fc.integer({ min: 0, max: 2 }), (size, what) => {
        const log = honestLog(size);
        const committed = { size, root: log.rootAt(size), frontier: log.frontierAt(size) };
        const head = headOf(log, size);
        if (what === 0) head.frontier = head.frontier.map((n, i) => (i === 0 ? { ...n, hash: new Uint8Array(randomBytes(32)) } : n));
        if (what === 1) head.root = new Uint8Array(randomBytes(32));
        if (what === 2) Object.assign(head, headOf(log, size - 1), { lastLeaf: log.leaves[size - 1] });
        expect(checkHead(head, committed)?.code).toBe('HEAD_MISMATCH');
      }),
      { numRuns: 80 },
    );
  });

  it('passes a head another process grew since (its frontier is hashed)', () => {
    const log = honestLog(40);
    expect(checkHead(headOf(log, 40), { size: 33, root: log.rootAt(33), frontier: log.frontierAt(33) })).toBeNull();
  });

  it('gets its frontier from appendLeaves, as frontierKeys names it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 1, max: 40 }), (before, added) => {
        const log = honestLog(before + added);
        const appended = appendLeaves(before, mapGetter(log.frontierAt(before)), log.leaves.slice(before));
        expect(appended.frontier).toEqual(log.frontierAt(before + added));
        expect(checkHead(headOf(log, before + added), appended)).toBeNull();
      }),
      { numRuns: 60 },
    );
  });
});

describe('checkSignedCheckpoint', () => {
  it('passes a checkpoint of any prefix whose root the stored nodes give', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 150 }), fc.integer({ min: 0, max: 150 }), (size, k) => {
        const cpSize = Math.min(size, k);
        const log = honestLog(size);
        expect(checkSignedCheckpoint({ size }, { size: cpSize, root: log.rootAt(cpSize), frontier: log.frontierAt(cpSize) })).toBeNull();
      }),
      { numRuns: 40 },
    );
  });

  it('finds a log shorter than its checkpoint, and a root the nodes do not give', () => {
    const log = honestLog(9);
    expect(checkSignedCheckpoint({ size: 8 }, { size: 9, root: log.rootAt(9), frontier: log.frontierAt(9) })?.code).toBe('LOG_SHRANK');
    expect(checkSignedCheckpoint({ size: 9 }, { size: 6, root: log.rootAt(7), frontier: log.frontierAt(6) })?.code).toBe('CHECKPOINT_MISMATCH');
    const changed = log.frontierAt(6).map((n, i) => (i === 1 ? { ...n, hash: new Uint8Array(32) } : n));
    expect(checkSignedCheckpoint({ size: 9 }, { size: 6, root: log.rootAt(6), frontier: changed })?.code).toBe('CHECKPOINT_MISMATCH');
  });

  it('checks only the size of a checkpoint already checked (its nodes not read again)', () => {
    const log = honestLog(9);
    expect(checkSignedCheckpoint({ size: 9 }, { size: 6, root: log.rootAt(6), frontier: null })).toBeNull();
    // A head rolled back below a checkpoint it had reached is found even so.
    expect(checkSignedCheckpoint({ size: 5 }, { size: 6, root: log.rootAt(6), frontier: null })?.code).toBe('LOG_SHRANK');
  });
});
