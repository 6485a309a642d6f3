// SPEC §3.5 — RFC 6962 / RFC 9162 Merkle tree hashes, audit paths and their verification.
//
// Storage model: node (level, index) is the root of the PERFECT subtree over
// leaves [index·2^level, (index+1)·2^level); (0, i) is the leaf hash of entry i.
// Only perfect nodes are ever stored: they never change once their last leaf is
// appended. Every non-perfect node of the RFC tree of a given size lies on its
// right border and is recomputed from the "frontier" (the perfect subtrees of
// the binary decomposition of the size), so every function below names the
// perfect nodes it needs up front (*Keys) and then works from a getter.
//
// Sizes and indices are plain numbers up to 2^53: we use division and modulo
// rather than bitwise operators, which would truncate to 32 bits.
import { sha256 } from '../crypto/crypto';

export { sha256 };

export type NodeKey = { level: number; index: number };
export type MerkleNode = NodeKey & { hash: Uint8Array };
/** Returns the hash of perfect node (level, index); throws if it is not available. */
export type NodeGetter = (level: number, index: number) => Uint8Array;

export const HASH_SIZE = 32;

const LEAF_PREFIX = new Uint8Array([0x00]);
const NODE_PREFIX = new Uint8Array([0x01]);

/** The Merkle tree hash of an empty tree: SHA-256 of the empty string. */
// A plain Uint8Array, handed out as copies (.slice()) so no caller can alter it.
export const EMPTY_ROOT: Uint8Array = new Uint8Array(sha256());

/** RFC 6962 §2.1: SHA-256(0x00 ‖ leaf bytes). */
export function leafHash(leafBytes: Uint8Array): Uint8Array {
  return sha256(LEAF_PREFIX, leafBytes);
}

/** RFC 6962 §2.1: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(NODE_PREFIX, left, right);
}

function assertSize(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${name} must be a non-negative safe integer, got ${n}`);
}

function assertHash(name: string, h: unknown): asserts h is Uint8Array {
  if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) {
    throw new TypeError(`${name} must be a ${HASH_SIZE}-byte Uint8Array`);
  }
}

// 2^l for l ≤ 53, exact in floating point.
function pow2(l: number): number {
  return 2 ** l;
}

/** Perfect subtrees of the binary decomposition of `size`, left to right (decreasing level). */
export function frontierKeys(size: number): NodeKey[] {
  assertSize('size', size);
  const keys: NodeKey[] = [];
  let start = 0;
  for (let level = Math.floor(Math.log2(size || 1)) + 1; level >= 0; level--) {
    const span = pow2(level);
    if (start + span <= size) {
      keys.push({ level, index: start / span });
      start += span;
    }
  }
  return keys;
}

/** The root of the tree of `size` is computed from exactly its frontier. */
export const rootKeys = frontierKeys;

// The RFC tree hangs the frontier f0, f1, …, ft off its right spine:
// root = H(f0, H(f1, … H(f(t-2), f(t-1)))). Fold right to left.
function foldRight(hashes: Uint8Array[]): Uint8Array {
  if (hashes.length === 0) return EMPTY_ROOT.slice();
  let acc = hashes[hashes.length - 1];
  for (let i = hashes.length - 2; i >= 0; i--) acc = nodeHash(hashes[i], acc);
  return acc;
}

function readNode(get: NodeGetter, key: NodeKey): Uint8Array {
  const h = get(key.level, key.index);
  assertHash(`node (${key.level}, ${key.index})`, h);
  return h;
}

/** Merkle tree hash of the first `size` leaves, from their frontier. */
export function root(size: number, get: NodeGetter): Uint8Array {
  return foldRight(frontierKeys(size).map((k) => readNode(get, k)));
}

/**
 * Appends leaves to a tree of `size`, reading only frontierKeys(size). Returns
 * every perfect node the append completes (the leaves themselves at level 0
 * included), in creation order, with the new size and root. Like a binary
 * counter: each leaf causes one carry per trailing one bit of the old size, so
 * k leaves cost O(k + log n) hashes. `frontier` is the new size's frontier
 * (frontierKeys order), what the next append reads.
 */
export function appendLeaves(
  size: number,
  get: NodeGetter,
  leafHashes: Uint8Array[],
): { nodes: MerkleNode[]; size: number; root: Uint8Array; frontier: MerkleNode[] } {
  assertSize('size', size);
  if (!Number.isSafeInteger(size + leafHashes.length)) throw new RangeError('tree size would overflow');
  // The stack holds the current frontier, left to right; levels strictly decrease.
  const stack: MerkleNode[] = frontierKeys(size).map((k) => ({ ...k, hash: readNode(get, k) }));
  const nodes: MerkleNode[] = [];
  let n = size;
  for (let i = 0; i < leafHashes.length; i++) {
    const h = leafHashes[i];
    assertHash(`leafHashes[${i}]`, h);
    let node: MerkleNode = { level: 0, index: n, hash: h };
    nodes.push(node);
    n++;
    // Merge while the top of the stack is a left sibling of the same height.
    while (stack.length > 0 && stack[stack.length - 1].level === node.level) {
      const left = stack.pop() as MerkleNode;
      node = { level: node.level + 1, index: left.index / 2, hash: nodeHash(left.hash, node.hash) };
      nodes.push(node);
    }
    stack.push(node);
  }
  return { nodes, size: n, root: foldRight(stack.map((s) => s.hash)), frontier: stack };
}

// The audit path of perfect node (level, index) in the tree of `size`, as keys,
// in RFC 6962 PATH order (bottom up). Right-border nodes are not perfect: they
// appear as the run of frontier nodes to fold (`rightFold`). Requires the node
// to be complete in the tree: (index+1)·2^level ≤ size.
type PathPlan = {
  inner: NodeKey[]; // perfect siblings inside the frontier subtree holding the node
  rightFold: NodeKey[]; // frontier subtrees to its right, hashed together into one element
  left: NodeKey[]; // frontier subtrees to its left, nearest first
};

function planPath(level: number, index: number, size: number): PathPlan {
  const frontier = frontierKeys(size);
  const start = index * pow2(level);
  // The frontier subtree holding the node: frontier subtrees of level ≥ `level`
  // are aligned to 2^level and tile [0, ⌊size/2^level⌋·2^level), which holds the node.
  let j = 0;
  while (start >= (frontier[j].index + 1) * pow2(frontier[j].level)) j++;
  const inner: NodeKey[] = [];
  for (let l = level; l < frontier[j].level; l++) {
    const at = Math.floor(start / pow2(l));
    inner.push({ level: l, index: at % 2 === 0 ? at + 1 : at - 1 });
  }
  const left: NodeKey[] = [];
  for (let i = j - 1; i >= 0; i--) left.push(frontier[i]);
  return { inner, rightFold: frontier.slice(j + 1), left };
}

function planKeys(plan: PathPlan): NodeKey[] {
  return [...plan.inner, ...plan.rightFold, ...plan.left];
}

function planHashes(plan: PathPlan, get: NodeGetter): Uint8Array[] {
  const path = plan.inner.map((k) => readNode(get, k));
  if (plan.rightFold.length > 0) {
    path.push(foldRight(plan.rightFold.map((k) => readNode(get, k))));
  }
  for (const k of plan.left) path.push(readNode(get, k));
  return path;
}

function assertIndex(index: number, size: number): void {
  assertSize('size', size);
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
    throw new RangeError(`leaf index ${index} is not in a tree of size ${size}`);
  }
}

/** Perfect nodes needed by inclusionProof(index, size, …): exactly those, each once. */
export function inclusionProofKeys(index: number, size: number): NodeKey[] {
  assertIndex(index, size);
  return planKeys(planPath(0, index, size));
}

/** RFC 6962 §2.1.1 PATH(index, D[size]), leaf to root. */
export function inclusionProof(index: number, size: number, get: NodeGetter): Uint8Array[] {
  assertIndex(index, size);
  return planHashes(planPath(0, index, size), get);
}

// RFC 6962 §2.1.2 SUBPROOF(from, D[to], true) is, for 0 < from < to, the audit
// path in the tree of `to` of the last perfect frontier subtree of `from`,
// preceded by that subtree's own hash unless `from` is a power of two (the
// verifier then knows it: it is the old root).
type ConsistencyPlan = { head: NodeKey | null; path: PathPlan } | null;

function planConsistency(from: number, to: number): ConsistencyPlan {
  assertSize('from', from);
  assertSize('to', to);
  if (from > to) throw new RangeError(`consistency proof from ${from} to a smaller size ${to}`);
  if (from === 0 || from === to) return null;
  let level = 0;
  while ((from / pow2(level)) % 2 === 0) level++;
  const index = (from - pow2(level)) / pow2(level);
  return { head: index === 0 ? null : { level, index }, path: planPath(level, index, to) };
}

/** Perfect nodes needed by consistencyProof(from, to, …): exactly those, each once. */
export function consistencyProofKeys(from: number, to: number): NodeKey[] {
  const plan = planConsistency(from, to);
  if (plan === null) return [];
  const keys = planKeys(plan.path);
  return plan.head ? [plan.head, ...keys] : keys;
}

/** RFC 6962 §2.1.2 PROOF(from, D[to]); empty when from is 0 or equals to. */
export function consistencyProof(from: number, to: number, get: NodeGetter): Uint8Array[] {
  const plan = planConsistency(from, to);
  if (plan === null) return [];
  const path = planHashes(plan.path, get);
  return plan.head ? [readNode(get, plan.head), ...path] : path;
}

/** A NodeGetter over nodes fetched in advance (e.g. by one query on the *Keys sets). */
export function mapGetter(nodes: Iterable<MerkleNode>): NodeGetter {
  const byKey = new Map<string, Uint8Array>();
  for (const n of nodes) byKey.set(`${n.level}:${n.index}`, n.hash);
  return (level, index) => {
    const h = byKey.get(`${level}:${index}`);
    if (h === undefined) throw new Error(`Merkle node (${level}, ${index}) is not available`);
    return h;
  };
}

function isHash(h: unknown): h is Uint8Array {
  return h instanceof Uint8Array && h.length === HASH_SIZE;
}

function isHashArray(a: unknown): a is Uint8Array[] {
  return Array.isArray(a) && a.every(isHash);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

const isOdd = (n: number): boolean => n % 2 === 1;
function isPowerOfTwo(n: number): boolean {
  while (n > 1 && n % 2 === 0) n /= 2;
  return n === 1;
}
const half = (n: number): number => Math.floor(n / 2);

/** RFC 9162 §2.1.3.2. Returns false on any malformed input rather than throwing. */
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  size: number,
  path: Uint8Array[],
  rootHash: Uint8Array,
): boolean {
  if (!isHash(leaf) || !isHash(rootHash) || !isHashArray(path)) return false;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  let r = leaf;
  const reachesRoot = climb(index, size - 1, path, 0, (p, left) => {
    r = left ? nodeHash(p, r) : nodeHash(r, p);
  });
  return reachesRoot && equalBytes(r, rootHash);
}

/**
 * The climb shared by RFC 9162 §2.1.3.2 and §2.1.4.2: from node `fn` of a tree whose last node is
 * `sn`, up one level per hash of `path` (from `start`), each given to `step` with whether it is the
 * left sibling. True when the path ends exactly at the root, false when it is too long or short.
 */
function climb(fn: number, sn: number, path: Uint8Array[], start: number, step: (hash: Uint8Array, left: boolean) => void): boolean {
  for (let i = start; i < path.length; i++) {
    if (sn === 0) return false;
    const left = isOdd(fn) || fn === sn;
    step(path[i], left);
    if (left) {
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0;
}

/**
 * RFC 9162 §2.1.4.2, plus the trivial cases the RFC leaves to the caller:
 * from = to needs an empty path and equal roots; from = 0 needs an empty path and
 * fromRoot = EMPTY_ROOT (any tree extends the empty one). Never throws.
 */
export function verifyConsistency(
  from: number,
  to: number,
  fromRoot: Uint8Array,
  toRoot: Uint8Array,
  path: Uint8Array[],
): boolean {
  if (!isHash(fromRoot) || !isHash(toRoot) || !isHashArray(path)) return false;
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || from > to) return false;
  if (from === to) return path.length === 0 && equalBytes(fromRoot, toRoot);
  if (from === 0) return path.length === 0 && equalBytes(fromRoot, EMPTY_ROOT);
  if (path.length === 0) return false;
  // Power of two: the old root is itself a node of the new tree, and is not sent.
  const proof = isPowerOfTwo(from) ? [fromRoot, ...path] : path;
  let fn = from - 1;
  let sn = to - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = proof[0];
  let sr = proof[0];
  const reachesRoot = climb(fn, sn, proof, 1, (c, left) => {
    if (left) fr = nodeHash(c, fr);
    sr = left ? nodeHash(c, sr) : nodeHash(sr, c);
  });
  return reachesRoot && equalBytes(fr, fromRoot) && equalBytes(sr, toRoot);
}

/**
 * Incremental Merkle tree hash for verifiers replaying a whole log: keeps only
 * the frontier, O(log n) memory.
 */
export class StreamingMerkle {
  // hashes[i] is the frontier subtree of height levels[i]; heights strictly decrease.
  private readonly hashes: Uint8Array[] = [];
  private readonly levels: number[] = [];
  private count = 0;

  /**
   * Resume at `size` from its frontier (the perfect subtrees' hashes, largest first, one per bit
   * set in `size`), as `frontier` returned it: an audit goes on from where the last one stopped.
   */
  static resume(size: number, frontier: readonly Uint8Array[]): StreamingMerkle {
    const merkle = new StreamingMerkle();
    const levels: number[] = [];
    for (let level = 62; level >= 0; level--) if (Math.floor(size / 2 ** level) % 2 === 1) levels.push(level);
    if (levels.length !== frontier.length) throw new Error(`StreamingMerkle.resume: size ${size} has ${levels.length} frontier hashes, not ${frontier.length}`);
    frontier.forEach((hash, i) => {
      assertHash('frontier hash', hash);
      merkle.hashes.push(hash.slice());
      merkle.levels.push(levels[i]);
    });
    merkle.count = size;
    return merkle;
  }

  /** The frontier: the perfect subtrees' hashes, largest first (see `resume`). */
  get frontier(): Uint8Array[] {
    return this.hashes.map((h) => h.slice());
  }

  push(leaf: Uint8Array): void {
    assertHash('leaf hash', leaf);
    let h = leaf;
    let level = 0;
    while (this.levels.length > 0 && this.levels[this.levels.length - 1] === level) {
      this.levels.pop();
      h = nodeHash(this.hashes.pop() as Uint8Array, h);
      level++;
    }
    this.hashes.push(h);
    this.levels.push(level);
    this.count++;
  }

  get size(): number {
    return this.count;
  }

  root(): Uint8Array {
    return foldRight(this.hashes);
  }
}

/** Reference MTH (RFC 6962 §2.1), straight from the recursive definition; depth log n. */
export function rootFromLeafHashes(hashes: Uint8Array[]): Uint8Array {
  const mth = (lo: number, hi: number): Uint8Array => {
    const n = hi - lo;
    if (n === 1) return hashes[lo];
    let k = 1;
    while (k * 2 < n) k *= 2; // largest power of two smaller than n
    return nodeHash(mth(lo, lo + k), mth(lo + k, hi));
  };
  return hashes.length === 0 ? EMPTY_ROOT.slice() : mth(0, hashes.length);
}
