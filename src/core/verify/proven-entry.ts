// SPEC §8, §12.2: entries of another instance's logs, proven by that instance's signed checkpoint
// and inclusion proofs — how a child's instance shows its parent's instance a genesis, a decision
// and the motion to ratify, and how a home registry shows a member's registration to another
// instance. Pure: the server checks what peers send with these, and so can any auditor.
import { decodeEntryLine, type LogEntry } from '../formats/entry';
import { fromBase64url, parseTimestamp } from '../formats/canonical-json';
import { derivedId } from '../formats/ids';
import { verifyInclusion } from '../formats/merkle';
import type { Checkpoint } from '../formats/signed-note';
import { parseCompact, verifySignature, type ParsedStatement } from '../formats/statement';
import { applyAmendments } from '../governance/amendments';
import { instanceFromNoteKey, verifyCheckpoint } from './checkpoint-checks';
import { CheckpointFailure } from './verification';

export interface IncludedEntry {
  /** the entry's line, exactly as its log serves it */
  line: string;
  /** the inclusion path (base64url hashes) of the entry in the checkpoint given with it */
  proof: string[];
}

export interface ProvenEntry extends IncludedEntry {
  /** a signed note of the log (cosignature lines may follow the instance's) covering the entry */
  checkpoint: string;
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

/** Whether a statement is a system statement of the instance whose verifier key is `noteKey`, signed by it. */
export function isSignedByInstance(statement: ParsedStatement, noteKey: string): boolean {
  const instance = instanceFromNoteKey(noteKey);
  return statement.header.typ === 'archipel-system' && statement.header.kid === instance.kid && verifySignature(statement, instance.key);
}

export interface MotionToRatify {
  title: string;
  /** the text as amended (SPEC §5.3) */
  text: string;
  /** closesAt − the recordedAt of its opening entry */
  windowMs: number;
}

/**
 * SPEC §8, §5.3: the motion `proposal` of the circle `origin` (a qualified id), adopted with
 * `ratify: true`, as its parent ratifies it: its opening entry and, per adopted amendment, its
 * opening and its tally (signed by the instance), each included in `checkpoint`; the amendments
 * apply in opening order. Throws a CheckpointFailure naming what does not hold.
 */
export function motionToRatify(
  proposal: string,
  origin: string,
  noteKey: string,
  checkpoint: string,
  sources: { opening: IncludedEntry; amendments: Array<{ opening: IncludedEntry; tally: IncludedEntry }> },
): MotionToRatify {
  const at = (e: IncludedEntry) => verifyProvenEntry({ ...e, checkpoint }, noteKey, origin).entry;
  const opening = at(sources.opening);
  const motion = parseCompact(opening.jws).payload;
  if (motion.type !== 'proposal.open' || motion.body.kind !== 'motion' || motion.body.ratify !== true || derivedId(opening.jws) !== proposal) {
    throw new CheckpointFailure('BAD_PROOF', `the opening entry is not motion ${proposal} opened with ratify: true`);
  }
  const adopted = sources.amendments.map((a, i) => {
    const opened = at(a.opening);
    const amendment = parseCompact(opened.jws).payload;
    const id = derivedId(opened.jws);
    if (amendment.type !== 'proposal.open' || amendment.body.kind !== 'amendment' || amendment.body.target !== proposal) {
      throw new CheckpointFailure('BAD_PROOF', `amendments.${i}: not an amendment of ${proposal}`);
    }
    const tally = parseCompact(at(a.tally).jws);
    if (!isSignedByInstance(tally, noteKey) || tally.payload.type !== 'tally.result' || tally.payload.body.proposal !== id || tally.payload.body.outcome !== 'adopted') {
      throw new CheckpointFailure('BAD_PROOF', `amendments.${i}: not the instance's tally of ${id}, adopted`);
    }
    return { seq: opened.seq, id, find: amendment.body.find, replace: amendment.body.replace };
  });
  const text = applyAmendments(motion.body.text, adopted.sort((x, y) => x.seq - y.seq)).text;
  const windowMs = (parseTimestamp(motion.body.closesAt) as number) - (parseTimestamp(opening.recordedAt) as number);
  return { title: motion.body.title, text, windowMs };
}
