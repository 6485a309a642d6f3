// The writer's cheap check of a log's head before it appends (docs/operations.md#self-audit): the
// stored head must agree with the stored Merkle nodes, and the newest checkpoint the instance
// signed with both. Everything it reads comes in the round trip that locks the head; it hashes at
// most one node per bit of the two sizes, and nothing when the stored head, frontier and checkpoint
// are the ones this process committed and checked before. Entry bytes are left to the periodic audit.
import { equalBytes, toBase64 } from '../crypto/crypto';
import { mapGetter, MerkleNode, root } from '../formats/merkle';

export interface StoredHead {
  size: number;
  root: Uint8Array;
  lastLeaf: Uint8Array | null;
  /** The stored nodes of the head's root (its frontier). */
  frontier: readonly MerkleNode[];
  /** The stored level-0 node of entry size - 1. */
  lastNode: Uint8Array | null;
}

export interface SignedCheckpointRoot {
  size: number;
  root: Uint8Array;
  /**
   * The stored nodes of the root at that size; null when this root was already found to be the
   * stored nodes' (the writer remembers the checkpoints it checked): only its size is checked then.
   */
  frontier: readonly MerkleNode[] | null;
}

/** A head as this process committed it: its size, its root and the frontier it computed them from. */
export interface CommittedHead {
  size: number;
  root: Uint8Array;
  frontier: readonly MerkleNode[];
}

export interface HeadProblem {
  code: 'HEAD_MISMATCH' | 'CHECKPOINT_MISMATCH' | 'LOG_SHRANK';
  reason: string;
}

function rootOrNull(size: number, nodes: readonly MerkleNode[]): Uint8Array | null {
  try {
    return root(size, mapGetter(nodes));
  } catch {
    return null; // a node is missing
  }
}

/**
 * The head's own consistency: its root from the stored nodes, its last leaf from its entry's node.
 * `committed`: the head as this process last committed it, if it knows it. When the stored head and
 * its stored frontier are exactly those, the root is known to be the frontier's (it was computed
 * from it) and is not hashed again; any difference, and the root is computed from the stored nodes.
 */
export function checkHead(head: StoredHead, committed?: CommittedHead): HeadProblem | null {
  const computed = committed && sameHead(head, committed) ? head.root : rootOrNull(head.size, head.frontier);
  if (computed === null || !equalBytes(computed, head.root)) {
    return { code: 'HEAD_MISMATCH', reason: `the head's root at size ${head.size} is not the root of the stored Merkle nodes` };
  }
  if (head.size === 0) return head.lastLeaf === null ? null : { code: 'HEAD_MISMATCH', reason: 'an empty log has a last leaf' };
  if (head.lastLeaf === null || head.lastNode === null || !equalBytes(head.lastLeaf, head.lastNode)) {
    return { code: 'HEAD_MISMATCH', reason: `the head's last leaf is not the stored leaf of entry ${head.size - 1}` };
  }
  return null;
}

/** The newest signed checkpoint against the head: a prefix of it, whose root the stored nodes give. */
export function checkSignedCheckpoint(head: Pick<StoredHead, 'size'>, checkpoint: SignedCheckpointRoot): HeadProblem | null {
  if (checkpoint.size > head.size) {
    return { code: 'LOG_SHRANK', reason: `the instance signed a checkpoint at size ${checkpoint.size}, the log has ${head.size} entries` };
  }
  if (checkpoint.frontier === null) return null;
  const computed = rootOrNull(checkpoint.size, checkpoint.frontier);
  if (computed === null || !equalBytes(computed, checkpoint.root)) {
    return {
      code: 'CHECKPOINT_MISMATCH',
      reason: `the stored Merkle nodes give ${computed ? toBase64(computed) : 'no root'} at size ${checkpoint.size}; the signed checkpoint says ${toBase64(checkpoint.root)}`,
    };
  }
  return null;
}

/**
 * Whether the stored head and frontier are the committed ones. The stored frontier comes from SQL
 * in no particular order, the committed one in frontierKeys order (levels decreasing): a frontier
 * has one node per level, so the nodes are matched by level.
 */
function sameHead(head: StoredHead, committed: CommittedHead): boolean {
  if (head.size !== committed.size || !equalBytes(head.root, committed.root) || head.frontier.length !== committed.frontier.length) return false;
  return head.frontier.every((n) => {
    const c = committed.frontier.find((k) => k.level === n.level);
    return c !== undefined && n.index === c.index && equalBytes(n.hash, c.hash);
  });
}
