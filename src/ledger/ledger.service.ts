// SPEC §3.5, §3.6, §3.8: reading logs, proofs and checkpoints. Entries are served exactly as
// stored; proofs read O(log n) perfect-subtree nodes, never the whole log. A proof is checked
// before it leaves (docs/operations.md#self-audit): against the root of the smallest checkpoint the
// instance signed at or above its size (or the head's root above the newest one), so that a stored
// node changed behind the service's back is refused (PROOF_MISMATCH, the log frozen), never served
// nor signed into a receipt.
import { Injectable, Logger } from '@nestjs/common';
import { equalBytes } from '../core/crypto/crypto';
import { DomainError } from '../core/rules/domain-error';
import { InstanceKeyService } from '../identity/instance-key.service';
import { REGISTRY } from '../core/rules/state';
import { base64url } from '../core/formats/canonical-json';
import {
  consistencyProof,
  consistencyProofKeys,
  EMPTY_ROOT,
  HASH_SIZE,
  inclusionProof,
  inclusionProofKeys,
  leafHash,
  mapGetter,
  MerkleNode,
  NodeGetter,
  NodeKey,
  root,
  rootKeys,
  verifyConsistency,
  verifyInclusion,
} from '../core/formats/merkle';
import { formatCheckpoint, parseCheckpoint } from '../core/formats/signed-note';
import { LedgerRepository, LogHead } from './ledger.repository';
import { CheckpointMirror } from './checkpoint-mirror';
import { IntegrityRepository } from './integrity.repository';

const PAGE = 5000;

/** A stored node missing or not a hash: the proof cannot be made from what is stored. */
class StoredNodeProblem extends Error {}

/** A getter over stored nodes that throws StoredNodeProblem rather than a TypeError on a bad one. */
function storedNodes(nodes: MerkleNode[]): NodeGetter {
  const get = mapGetter(nodes);
  return (level, index) => {
    let hash: Uint8Array;
    try {
      hash = get(level, index);
    } catch {
      throw new StoredNodeProblem(`the stored Merkle node (${level}, ${index}) is missing`);
    }
    if (!(hash instanceof Uint8Array) || hash.length !== HASH_SIZE) throw new StoredNodeProblem(`the stored Merkle node (${level}, ${index}) is not a hash`);
    return hash;
  };
}

/** The root a checkpoint note signs (its text is not re-verified here: the self-audit does that). */
function signedRoot(note: string): { size: number; root: Uint8Array } {
  const end = note.indexOf('\n\n');
  return parseCheckpoint(end < 0 ? note : note.slice(0, end + 1));
}

@Injectable()
export class LedgerService {
  private readonly logger = new Logger('Proofs');

  constructor(
    private readonly ledger: LedgerRepository,
    private readonly instanceKey: InstanceKeyService,
    private readonly mirror: CheckpointMirror,
    private readonly integrity: IntegrityRepository,
  ) {}

  origin(circle: string): string {
    return circle === REGISTRY ? `${this.instanceKey.name}/registry` : `${this.instanceKey.name}/circles/${circle}`;
  }

  async head(circle: string): Promise<LogHead> {
    const head = await this.ledger.head(circle);
    if (head) return head;
    if (circle === REGISTRY) return { circle, size: 0, root: EMPTY_ROOT, lastLeaf: null, lastRecordedAt: null };
    throw new DomainError('UNKNOWN_CIRCLE', `No circle ${circle}`);
  }

  /** The log as JSON Lines from `from`, streamed page by page. */
  async *lines(circle: string, from: number): AsyncGenerator<string> {
    const head = await this.head(circle);
    for (let next = from; next < head.size; ) {
      const page = await this.ledger.lines(circle, next, Math.min(PAGE, head.size - next));
      if (!page.length) return;
      for (const row of page) yield `${row.line}\n`;
      next = page[page.length - 1].seq + 1;
    }
  }

  /** A signed checkpoint of the whole current log (cached per size; never re-signed). */
  async checkpoint(circle: string): Promise<string> {
    const head = await this.head(circle);
    return this.checkpointAt(circle, head.size, head.root);
  }

  async checkpointAt(circle: string, size: number, rootHash: Uint8Array): Promise<string> {
    const cached = await this.ledger.checkpoint(circle, size);
    if (cached) {
      this.mirror.publish(circle, size, cached);
      return cached;
    }
    const note = this.instanceKey.signNote(formatCheckpoint(this.origin(circle), size, rootHash));
    const saved = await this.ledger.saveCheckpoint(circle, size, rootHash, note);
    this.mirror.publish(circle, size, saved);
    return saved;
  }

  /** The root at `size` (≤ the head's), held to the signed checkpoints like a proof's. */
  async rootAt(circle: string, size: number): Promise<Uint8Array> {
    const anchor = await this.anchor(circle, size, await this.head(circle));
    return this.checked(circle, [...rootKeys(size), ...consistencyProofKeys(size, anchor.size)], (get) => this.trustedRoot(size, get, anchor));
  }

  /**
   * The entries of `circle` signed for `signer` (the member, whichever of her keys signed, SPEC
   * §11), in order, each with its inclusion proof in one signed checkpoint of the whole log.
   */
  async signedBy(circle: string, signer: string): Promise<{ checkpoint: string; entries: Array<{ seq: number; line: string; proof: string[] }> }> {
    const checkpoint = await this.checkpoint(circle);
    const size = Number(checkpoint.split('\n')[1]);
    const rows = await this.ledger.linesSignedBy(circle, signer, size);
    const entries = await Promise.all(rows.map(async ({ seq, line }) => ({ seq, line, proof: (await this.inclusion(circle, seq, size)).path })));
    return { checkpoint, entries };
  }

  async inclusion(circle: string, seq: number, size?: number) {
    const head = await this.head(circle);
    const treeSize = size ?? head.size;
    if (treeSize > head.size) throw new DomainError('INVALID_RANGE', `The log has ${head.size} entries`, 'size');
    if (seq >= treeSize) throw new DomainError('INVALID_RANGE', 'seq must be smaller than size', 'seq');
    const anchor = await this.anchor(circle, treeSize, head);
    const keys = [...inclusionProofKeys(seq, treeSize), ...rootKeys(treeSize), { level: 0, index: seq }, ...consistencyProofKeys(treeSize, anchor.size)];
    return this.checked(circle, keys, (get) => {
      const rootHash = this.trustedRoot(treeSize, get, anchor);
      const leaf = get(0, seq);
      const path = inclusionProof(seq, treeSize, get);
      if (!verifyInclusion(leaf, seq, treeSize, path, rootHash)) throw new StoredNodeProblem(`the inclusion proof of entry ${seq} in the tree of ${treeSize} does not verify`);
      return { seq, size: treeSize, leaf: base64url(leaf), root: base64url(rootHash), path: path.map(base64url) };
    });
  }

  async consistency(circle: string, from: number, to?: number) {
    const head = await this.head(circle);
    const toSize = to ?? head.size;
    if (toSize > head.size) throw new DomainError('INVALID_RANGE', `The log has ${head.size} entries`, 'to');
    if (from > toSize) throw new DomainError('INVALID_RANGE', 'from must not exceed to', 'from');
    // From the empty tree, or to the same size: the proof is empty, nothing stored goes out.
    if (from === 0 || from === toSize) return { from, to: toSize, path: [] };
    const anchor = await this.anchor(circle, toSize, head);
    const keys = [...consistencyProofKeys(from, toSize), ...rootKeys(from), ...rootKeys(toSize), ...consistencyProofKeys(toSize, anchor.size)];
    return this.checked(circle, keys, (get) => {
      const toRoot = this.trustedRoot(toSize, get, anchor);
      const path = consistencyProof(from, toSize, get);
      if (!verifyConsistency(from, toSize, root(from, get), toRoot, path)) throw new StoredNodeProblem(`the consistency proof from ${from} to ${toSize} does not verify`);
      return { from, to: toSize, path: path.map(base64url) };
    });
  }

  /**
   * Before an inclusion proof goes into something signed or sent (a receipt, a peer request): it
   * proves `line` at `seq` against the root `checkpoint` signs. Refused (PROOF_MISMATCH, the log
   * frozen) otherwise.
   */
  async checkInclusion(circle: string, seq: number, line: string, checkpoint: string, path: string[]): Promise<void> {
    let ok = false;
    try {
      const signed = signedRoot(checkpoint);
      const hashes = path.map((p) => new Uint8Array(Buffer.from(p, 'base64url')));
      ok = verifyInclusion(leafHash(new TextEncoder().encode(line)), seq, signed.size, hashes, signed.root);
    } catch {
      ok = false;
    }
    if (!ok) await this.refuse(circle, `the inclusion proof of entry ${seq} does not verify against the checkpoint sent with it`);
  }

  /**
   * The smallest checkpoint the instance signed at or above `size` (its signed root), or the head
   * when the log grew past the newest one: what a root at `size` is held to.
   */
  private async anchor(circle: string, size: number, head: LogHead): Promise<{ size: number; root: Uint8Array }> {
    const note = await this.integrity.checkpointAtOrAbove(circle, size);
    if (note !== null) {
      try {
        return signedRoot(note);
      } catch (e) {
        await this.refuse(circle, `a stored checkpoint of this log does not parse: ${(e as Error).message}`);
      }
    }
    return { size: head.size, root: head.root };
  }

  /** The root at `size` from the stored nodes, once proven consistent with the anchor's root. */
  private trustedRoot(size: number, get: NodeGetter, anchor: { size: number; root: Uint8Array }): Uint8Array {
    const rootHash = root(size, get);
    const held = anchor.size === size ? equalBytes(rootHash, anchor.root) : verifyConsistency(size, anchor.size, rootHash, anchor.root, consistencyProof(size, anchor.size, get));
    if (!held) throw new StoredNodeProblem(`the stored Merkle nodes give another root at size ${size} than the signed one at size ${anchor.size}`);
    return rootHash;
  }

  /** Read the nodes, build the answer from them; a node found altered refuses it and freezes the log. */
  private async checked<T>(circle: string, keys: NodeKey[], build: (get: NodeGetter) => T): Promise<T> {
    const get = storedNodes(await this.ledger.nodes(circle, keys));
    try {
      return build(get);
    } catch (e) {
      if (!(e instanceof StoredNodeProblem)) throw e;
      return this.refuse(circle, e.message);
    }
  }

  private async refuse(circle: string, reason: string): Promise<never> {
    try {
      if (await this.integrity.freeze(circle, 'MERKLE_MISMATCH', reason, 'proof')) {
        this.logger.error(`Log ${circle} frozen: MERKLE_MISMATCH: ${reason}. Appends to it are refused (LOG_FROZEN) until an operator acts (docs/operations.md#self-audit)`);
      }
    } catch (e) {
      this.logger.error(`Log ${circle} is altered (MERKLE_MISMATCH: ${reason}) but could not be frozen: ${(e as Error).message}`);
    }
    throw new DomainError(
      'PROOF_MISMATCH',
      `No proof is served for this log: its stored Merkle tree does not match what the instance signed (${reason}). The log is frozen until an operator acts (docs/operations.md#self-audit)`,
    );
  }
}
