// SPEC §3.6 — checking a verified log against signed checkpoints and consistency proofs.
import { equalBytes, toBase64 } from '../crypto/crypto';
import { Ed25519PublicJwk, importRawPublicKey, memberIdOf } from '../formats/keys';
import { base64url, fromBase64url } from '../formats/canonical-json';
import { EMPTY_ROOT, verifyConsistency } from '../formats/merkle';
import { Checkpoint, openNote, parseCheckpoint, parseVerifierKey } from '../formats/signed-note';
import { CheckpointFailure, InstanceIdentity, LogSummary, REGISTRY } from './verification';

// ---------------------------------------------------------------- checkpoints

/** `<instance name>/circles/<circle id>`, or `<instance name>/registry` (SPEC §3.6, §3.8). */
export function originOf(instanceName: string, circle: string): string {
  return circle === REGISTRY ? `${instanceName}/registry` : `${instanceName}/circles/${circle}`;
}

/**
 * The instance key from its signed-note verifier key `name+hex(keyid)+base64(0x01‖pub)`:
 * the key name is the instance name, and the kid of its system statements is
 * the RFC 7638 thumbprint of the same Ed25519 key as a JWK. Throws on a bad key.
 */
export function instanceFromNoteKey(noteKey: string): InstanceIdentity {
  const { name, publicKey } = parseVerifierKey(noteKey);
  const jwk: Ed25519PublicJwk = { kty: 'OKP', crv: 'Ed25519', x: base64url(publicKey) };
  return { noteKey, name, kid: memberIdOf(jwk), jwk, key: importRawPublicKey(publicKey) };
}

/** Opens a signed checkpoint under `verifierKey` and checks its origin. Throws a CheckpointFailure. */
export function verifyCheckpoint(note: string, verifierKey: string, expectedOrigin: string): Checkpoint {
  const opened = openNote(note, verifierKey);
  if (!opened.ok) throw new CheckpointFailure('BAD_CHECKPOINT', `checkpoint: ${opened.reason}`);
  let checkpoint: Checkpoint;
  try {
    checkpoint = parseCheckpoint(opened.text);
  } catch (e) {
    throw new CheckpointFailure('BAD_CHECKPOINT', (e as Error).message);
  }
  if (checkpoint.origin !== expectedOrigin) {
    throw new CheckpointFailure('WRONG_ORIGIN', `checkpoint origin is ${JSON.stringify(checkpoint.origin)}, expected ${JSON.stringify(expectedOrigin)}`);
  }
  return checkpoint;
}

const b64 = toBase64;


/** The log's root at `size` (≤ its size): the final root, or one kept through `rootsAt`. */
export function rootAtSize(summary: LogSummary, size: number): Uint8Array {
  if (size === summary.size) return summary.root;
  if (size === 0) return EMPTY_ROOT.slice();
  const root = summary.roots.get(size);
  if (root === undefined) throw new Error(`the root at size ${size} was not kept: pass ${size} in rootsAt`);
  return root;
}

/**
 * The checkpoint signs a prefix of the verified log: its size is at most the
 * number of entries verified (a log fetched after its checkpoint may have
 * grown) and its root is the log's root at that size. Throws a CheckpointFailure.
 */
export function checkAgainstCheckpoint(summary: LogSummary, checkpoint: Checkpoint): void {
  if (checkpoint.size > summary.size) {
    throw new CheckpointFailure('CHECKPOINT_AHEAD', `checkpoint covers ${checkpoint.size} entries, the log has ${summary.size}`);
  }
  const root = rootAtSize(summary, checkpoint.size);
  if (!equalBytes(root, checkpoint.root)) {
    throw new CheckpointFailure(
      'ROOT_MISMATCH',
      `the log's root at size ${checkpoint.size} is ${b64(root)}, the checkpoint says ${b64(checkpoint.root)}`,
    );
  }
}

/**
 * An older checkpoint against the newer one, given the whole log: both roots
 * recomputed from the same entries prove that the older tree is a prefix of
 * the newer (what an RFC 6962 consistency proof would show). Throws a CheckpointFailure.
 */
export function checkOlderCheckpoint(older: Checkpoint, newer: Checkpoint, summary: LogSummary): void {
  if (older.origin !== newer.origin) {
    throw new CheckpointFailure('WRONG_ORIGIN', `the checkpoints are of ${older.origin} and ${newer.origin}`);
  }
  if (older.size > newer.size) {
    throw new CheckpointFailure('INCONSISTENT', `the older checkpoint covers ${older.size} entries, the newer only ${newer.size}: the log shrank`);
  }
  checkAgainstCheckpoint(summary, newer);
  if (older.size > summary.size) {
    throw new CheckpointFailure('INCONSISTENT', `the older checkpoint covers ${older.size} entries, the log has ${summary.size}`);
  }
  const root = rootAtSize(summary, older.size);
  if (!equalBytes(root, older.root)) {
    throw new CheckpointFailure(
      'INCONSISTENT',
      `the older checkpoint's root at size ${older.size} is ${b64(older.root)}, the log's is ${b64(root)}: it signed another history`,
    );
  }
}

/** Verifies an RFC 6962 consistency proof (base64url hashes, as served at §3.8) between two checkpoints. */
export function checkConsistencyProof(older: Checkpoint, newer: Checkpoint, path: readonly string[]): void {
  const hashes: Uint8Array[] = [];
  for (const h of path) {
    const bytes = typeof h === 'string' ? fromBase64url(h) : null;
    if (bytes === null) throw new CheckpointFailure('BAD_PROOF', 'consistency proof holds a value that is not base64url');
    hashes.push(bytes);
  }
  if (!verifyConsistency(older.size, newer.size, older.root, newer.root, hashes)) {
    throw new CheckpointFailure('BAD_PROOF', `consistency proof from ${older.size} to ${newer.size} does not verify`);
  }
}
