// SPEC §3.4 / §3.7 — ids derived from a statement: circles and proposals.
import { sha256, toBase64url, utf8 } from '../crypto/crypto';

/** Base64url of the first 16 bytes of SHA-256 over the JWS compact string (22 characters). */
export function derivedId(jws: string): string {
  return toBase64url(sha256(utf8(jws)).subarray(0, 16));
}
