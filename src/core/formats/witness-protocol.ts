// SPEC §12.1 — C2SP tlog-witness add-checkpoint request body:
// `old <size>\n`, up to 63 base64 consistency-proof lines, a blank line, then the signed note.
import { decodeBase64, toBase64 } from '../crypto/crypto';

export const MAX_PROOF_LINES = 63;
/** Content type of a 409 answer: the witness's size, in decimal, and a newline. */
export const TLOG_SIZE_CONTENT_TYPE = 'text/x.tlog.size';

export type AddCheckpointRequest = { oldSize: number; proof: Uint8Array[]; note: string };

export function formatAddCheckpoint(oldSize: number, proof: readonly Uint8Array[], note: string): string {
  if (!Number.isSafeInteger(oldSize) || oldSize < 0) throw new RangeError('old size must be a non-negative integer');
  if (proof.length > MAX_PROOF_LINES) throw new RangeError(`at most ${MAX_PROOF_LINES} proof lines`);
  return `old ${oldSize}\n${proof.map((h) => `${toBase64(h)}\n`).join('')}\n${note}`;
}

/** Strict parse; throws an Error saying what is wrong (the witness answers 400). */
export function parseAddCheckpoint(body: string): AddCheckpointRequest {
  const firstEnd = body.indexOf('\n');
  if (firstEnd < 0) throw new Error('expected an "old <size>" line');
  const m = /^old (0|[1-9][0-9]*)$/.exec(body.slice(0, firstEnd));
  if (!m) throw new Error('the first line must be "old <size>" in decimal without leading zeros');
  const oldSize = Number(m[1]);
  if (!Number.isSafeInteger(oldSize)) throw new Error('old size too large');
  const proof: Uint8Array[] = [];
  let at = firstEnd + 1;
  for (;;) {
    const end = body.indexOf('\n', at);
    if (end < 0) throw new Error('expected a blank line before the checkpoint');
    const line = body.slice(at, end);
    at = end + 1;
    if (line.length === 0) break;
    if (proof.length === MAX_PROOF_LINES) throw new Error(`more than ${MAX_PROOF_LINES} consistency proof lines`);
    const hash = /^[A-Za-z0-9+/]{43}=$/.test(line) ? decodeBase64(line) : null;
    if (!hash || hash.length !== 32 || toBase64(hash) !== line) throw new Error('a consistency proof line is not the base64 of a 32-byte hash');
    proof.push(hash);
  }
  const note = body.slice(at);
  if (note.length === 0) throw new Error('the checkpoint is missing');
  return { oldSize, proof, note };
}

/** The body of a 409 answer, parsed by the client; null when malformed. */
export function parseTlogSize(body: string): number | null {
  const m = /^(0|[1-9][0-9]*)\n$/.exec(body);
  if (!m) return null;
  const size = Number(m[1]);
  return Number.isSafeInteger(size) ? size : null;
}
