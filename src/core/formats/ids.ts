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

/**
 * SPEC §12.2: a circle's qualified id, `<instance name>/circles/<circle id>` (its checkpoint
 * origin), names a circle on another instance. The instance name is everything before the last
 * `/circles/`; it has no spaces and no "+" (it names a signed-note key).
 */
export const QUALIFIED_CIRCLE_ID = /^([^\s+]{1,200})\/circles\/([A-Za-z0-9_-]{21}[AQgw])$/;

export interface QualifiedCircleId {
  instance: string;
  circle: string;
}

/** The instance and the circle a qualified id names, or null when `value` is not one. */
export function parseQualifiedCircleId(value: string): QualifiedCircleId | null {
  const m = QUALIFIED_CIRCLE_ID.exec(value);
  return m ? { instance: m[1], circle: m[2] } : null;
}

export function qualifiedCircleId(instance: string, circle: string): string {
  return `${instance}/circles/${circle}`;
}

/** Whether a circle reference names a circle on another instance (a qualified id), not one of this log's instance. */
export function isRemoteCircle(ref: string): boolean {
  return ref.includes('/');
}
