// SPEC §8, §12.2: an entry of another instance's log, proven by that instance's signed checkpoint
// and an inclusion proof — how a child's instance shows its parent's instance a genesis or a
// decision, and how a home registry shows a member's registration to another instance.
import { decodeEntryLine, type LogEntry } from '../formats/entry';
import { fromBase64url } from '../formats/canonical-json';
import { verifyInclusion } from '../formats/merkle';
import type { Checkpoint } from '../formats/signed-note';
import { verifyCheckpoint } from './checkpoint-checks';
import { CheckpointFailure } from './verification';

export interface ProvenEntry {
  /** the entry's line, exactly as its log serves it */
  line: string;
  /** a signed note of the log (cosignature lines may follow the instance's) covering the entry */
  checkpoint: string;
  /** the inclusion path (base64url hashes) of the entry in that checkpoint */
  proof: string[];
}

export interface VerifiedEntry {
  entry: LogEntry;
  leaf: Uint8Array;
  checkpoint: Checkpoint;
}

/**
 * Opens the checkpoint under the instance's verifier key, checks that its origin is `origin`, and
 * that the entry is in the tree it signs at its seq. Throws a CheckpointFailure.
 */
export function verifyProvenEntry(proven: ProvenEntry, noteKey: string, origin: string): VerifiedEntry {
  const checkpoint = verifyCheckpoint(proven.checkpoint, noteKey, origin);
  const decoded = decodeEntryLine(proven.line);
  if (!decoded.ok) throw new CheckpointFailure('BAD_PROOF', `the entry does not decode: ${decoded.reason}`);
  const path: Uint8Array[] = [];
  for (const h of proven.proof) {
    const bytes = typeof h === 'string' ? fromBase64url(h) : null;
    if (bytes === null) throw new CheckpointFailure('BAD_PROOF', 'the inclusion proof holds a value that is not base64url');
    path.push(bytes);
  }
  if (!verifyInclusion(decoded.leaf, decoded.entry.seq, checkpoint.size, path, checkpoint.root)) {
    throw new CheckpointFailure('BAD_PROOF', `entry ${decoded.entry.seq} is not in the checkpoint of size ${checkpoint.size} by that proof`);
  }
  return { entry: decoded.entry, leaf: decoded.leaf, checkpoint };
}
