// SPEC §12.1 — what a C2SP tlog-witness answers to add-checkpoint, as a pure function of the
// request, the keys it trusts for the origin and its record of the last cosigned checkpoint.
// The caller holds that record locked while it decides, stores it and signs (tlog-witness's
// atomicity rule), so two inconsistent checkpoints of one origin are never both cosigned.
//
// A refusal is evidence of a fork only when the request proves one: two checkpoints signed by the
// log's key that cannot both be true. A consistency proof that merely does not verify proves
// nothing (anyone can send garbage lines with a public checkpoint): it is answered 422, no more.
import { equalBytes } from '../crypto/crypto';
import { splitNote } from '../formats/cosignature';
import { EMPTY_ROOT, nodeHash, verifyConsistency } from '../formats/merkle';
import { Checkpoint, openNote, parseCheckpoint } from '../formats/signed-note';
import { AddCheckpointRequest, parseAddCheckpoint } from '../formats/witness-protocol';

export type WitnessRecord = { size: number; root: Uint8Array };

/**
 * Why a request is kept as evidence of a fork: the log signed two views that cannot both be true.
 * SAME_SIZE_OTHER_ROOT: the checkpoint has the size of the last one cosigned and another root.
 * OTHER_ROOT_AT_OLD_SIZE: the consistency proof leads to the checkpoint's root, but from another
 * root at the last cosigned size than the one cosigned (RFC 9162 §2.1.4.2 computes both roots).
 */
export type ForkKind = 'SAME_SIZE_OTHER_ROOT' | 'OTHER_ROOT_AT_OLD_SIZE';

/** The checkpoint shown, and its note with only the signature lines of the log's trusted keys. */
export type Shown = { checkpoint: Checkpoint; note: string };

export type WitnessVerdict =
  | ({ status: 200; text: string } & Shown)
  | { status: 400 | 403 | 404; reason: string }
  | ({ status: 409; size: number; reason: string; fork: null } & Partial<Shown>)
  | ({ status: 409; size: number; reason: string; fork: ForkKind } & Shown)
  | ({ status: 422; reason: string; fork: ForkKind | null } & Shown);

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
  const note = signedBy(request.note, text, keys);
  if (note === null) return { status: 403, reason: 'no signature verifies against a key trusted for this origin' };
  if (request.oldSize > checkpoint.size) return { status: 400, reason: 'old size exceeds the checkpoint size' };
  const known = record ?? { size: 0, root: EMPTY_ROOT };
  if (request.oldSize !== known.size) {
    return { status: 409, size: known.size, reason: `the last cosigned size is ${known.size}`, fork: null };
  }
  if (record && checkpoint.size === record.size) {
    if (equalBytes(checkpoint.root, record.root)) return { status: 200, checkpoint, text, note };
    return { status: 409, size: record.size, reason: 'same size as the last cosigned checkpoint with another root', fork: 'SAME_SIZE_OTHER_ROOT', checkpoint, note };
  }
  if (!verifyConsistency(known.size, checkpoint.size, known.root, checkpoint.root, request.proof)) {
    const other = oldRootOfProof(known.size, checkpoint.size, checkpoint.root, request.proof);
    const fork = other !== null && !equalBytes(other, known.root) ? 'OTHER_ROOT_AT_OLD_SIZE' : null;
    const reason = fork
      ? `the consistency proof leads to this checkpoint from another root at size ${known.size} than the one cosigned: the log forked`
      : `the consistency proof from ${known.size} to ${checkpoint.size} does not verify`;
    return { status: 422, reason, fork, checkpoint, note };
  }
  return { status: 200, checkpoint, text, note };
}

/**
 * The note as the log signed it: its text and only the signature lines that verify against a key
 * trusted for the origin (what is kept of a request: never lines anyone could add). Null when none.
 */
function signedBy(note: string, text: string, keys: readonly string[]): string | null {
  const kept = new Set<string>();
  for (const { line } of splitNote(note).lines) {
    if (keys.some((key) => openNote(`${text}\n${line}`, key).ok)) kept.add(line);
  }
  return kept.size === 0 ? null : `${text}\n${[...kept].join('')}`;
}

const half = (n: number): number => Math.floor(n / 2);

/**
 * RFC 9162 §2.1.4.2 run from the new tree's side: the root at size `from` that the consistency
 * `path` ties to `toRoot`, or null when the path does not lead to `toRoot`. Null as well when
 * `from` is a power of two: the old root is then not in the proof (the verifier supplies it), so
 * a proof that fails says nothing about another old root. Such a root, signed by the log at `to`
 * and differing from the one it signed at `from`, proves the log forked (short of a SHA-256 collision).
 */
export function oldRootOfProof(from: number, to: number, toRoot: Uint8Array, path: readonly Uint8Array[]): Uint8Array | null {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from <= 0 || from >= to || path.length === 0) return null;
  if (path.some((h) => h.length !== 32) || toRoot.length !== 32) return null;
  if (isPowerOfTwo(from)) return null;
  let fn = from - 1;
  let sn = to - 1;
  while (fn % 2 === 1) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0];
  let sr = path[0];
  for (let i = 1; i < path.length; i++) {
    if (sn === 0) return null;
    const c = path[i];
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equalBytes(sr, toRoot) ? fr : null;
}

function isPowerOfTwo(n: number): boolean {
  while (n > 1 && n % 2 === 0) n /= 2;
  return n === 1;
}
