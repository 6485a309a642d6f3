// SPEC §3.4 / §3.7 — ids derived from a statement: circles and proposals.
import { sha256, toBase64url, utf8 } from '../crypto/crypto';

/** Base64url of the first 16 bytes of SHA-256 over the JWS compact string (22 characters). */
export function derivedId(jws: string): string {
  return toBase64url(sha256(utf8(jws)).subarray(0, 16));
}

const ID_16_BYTES = /^[A-Za-z0-9_-]{21}[AQgw]$/;

/** Whether `value` has the form of a circle id (§3.4: 16 bytes, 22 characters of base64url). */
export function isCircleId(value: unknown): value is string {
  return typeof value === 'string' && ID_16_BYTES.test(value);
}

/** Whether `value` has the form of a proposal id (§3.7: 16 bytes, 22 characters of base64url). */
export function isProposalId(value: unknown): value is string {
  return typeof value === 'string' && ID_16_BYTES.test(value);
}
