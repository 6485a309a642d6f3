// SPEC §12.1 — what a C2SP tlog-witness answers to add-checkpoint, as a pure function of the
// request, the keys it trusts for the origin and its record of the last cosigned checkpoint.
// The caller holds that record locked while it decides, stores it and signs (tlog-witness's
// atomicity rule), so two inconsistent checkpoints of one origin are never both cosigned.
import { equalBytes } from '../crypto/crypto';
import { splitNote } from '../formats/cosignature';
import { EMPTY_ROOT, verifyConsistency } from '../formats/merkle';
import { Checkpoint, openNote, parseCheckpoint } from '../formats/signed-note';
import { AddCheckpointRequest, parseAddCheckpoint } from '../formats/witness-protocol';

export type WitnessRecord = { size: number; root: Uint8Array };

/** Why a request is kept as evidence of a fork: the log signed two views that cannot both be true. */
export type ForkKind = 'SAME_SIZE_OTHER_ROOT' | 'INCONSISTENT_PROOF';

export type WitnessVerdict =
  | { status: 200; checkpoint: Checkpoint; text: string }
  | { status: 400 | 403 | 404; reason: string }
  | { status: 409; size: number; reason: string; fork: ForkKind | null; checkpoint: Checkpoint | null }
  | { status: 422; reason: string; fork: ForkKind; checkpoint: Checkpoint };

export type WitnessedOrigins = (origin: string) => readonly string[] | undefined;

export function parseRequest(body: string): { ok: true; request: AddCheckpointRequest; checkpoint: Checkpoint; text: string } | { ok: false; reason: string } {
  try {
    const request = parseAddCheckpoint(body);
    const { text } = splitNote(request.note);
    return { ok: true, request, checkpoint: parseCheckpoint(text), text };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}

/**
 * `keysFor(origin)`: the log's signed-note verifier keys, undefined for an origin not witnessed.
 * `record`: the last checkpoint cosigned for the origin, null if none.
 */
export function decideAddCheckpoint(body: string, keysFor: WitnessedOrigins, record: WitnessRecord | null): WitnessVerdict {
  const parsed = parseRequest(body);
  if (!parsed.ok) return { status: 400, reason: parsed.reason };
  const { request, checkpoint, text } = parsed;
  const keys = keysFor(checkpoint.origin);
  if (!keys || keys.length === 0) return { status: 404, reason: `origin ${checkpoint.origin} is not witnessed here` };
  if (!keys.some((key) => openNote(request.note, key).ok)) return { status: 403, reason: 'no signature verifies against a key trusted for this origin' };
  if (request.oldSize > checkpoint.size) return { status: 400, reason: 'old size exceeds the checkpoint size' };
  const known = record ?? { size: 0, root: EMPTY_ROOT };
  if (request.oldSize !== known.size) {
    return { status: 409, size: known.size, reason: `the last cosigned size is ${known.size}`, fork: null, checkpoint: null };
  }
  if (record && checkpoint.size === record.size) {
    if (equalBytes(checkpoint.root, record.root)) return { status: 200, checkpoint, text };
    return { status: 409, size: record.size, reason: 'same size as the last cosigned checkpoint with another root', fork: 'SAME_SIZE_OTHER_ROOT', checkpoint };
  }
  if (!verifyConsistency(known.size, checkpoint.size, known.root, checkpoint.root, request.proof)) {
    return { status: 422, reason: `the consistency proof from ${known.size} to ${checkpoint.size} does not verify`, fork: 'INCONSISTENT_PROOF', checkpoint };
  }
  return { status: 200, checkpoint, text };
}
