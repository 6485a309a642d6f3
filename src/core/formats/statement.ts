// SPEC §3.3 — a statement: one compact JWS (RFC 7515) signed with EdDSA /
// Ed25519 (RFC 8037) over the JCS bytes of its payload; §10 — every way it
// can be refused, as a stable code. Checks run in the order the ingestion
// pipeline needs: size, structure, header, payload bytes, payload schema
// (`parseCompact`); then, once the caller has found the signer's key, the
// signature (`assertSignature`) and the clock (`checkClock`).
import { decodeBase64url as decodeLenient, isCanonicalBase64url, type PublicKeyHandle, utf8 as utf8Bytes, verifyEd25519 } from '../crypto/crypto';
import { parseCanonicalJson, parseTimestamp } from './canonical-json';
import { Ed25519PublicJwk, isEd25519PublicJwk, isMemberId, memberIdOf } from './keys';
import {
  isSignableBy,
  isStatementType,
  SignerKind,
  STATEMENT_TYP,
  StatementPayload,
  StatementTyp,
  SYSTEM_TYP,
  validatePayload,
} from './statement-types';

export type StatementErrorCode =
  /** not three strict base64url segments, or a signature that is not 64 bytes */
  | 'MALFORMED_JWS'
  /** header or payload bytes are not UTF-8 JSON */
  | 'MALFORMED_JSON'
  /** payload is JSON but not its RFC 8785 (JCS) form */
  | 'NOT_CANONICAL'
  /** protected header has a missing, unknown, duplicate or ill-formed member */
  | 'BAD_HEADER'
  /** `alg` is not `EdDSA` */
  | 'UNSUPPORTED_ALG'
  | 'BAD_SIGNATURE'
  /** no registered key for `kid` */
  | 'UNKNOWN_MEMBER'
  /** payload does not match the schema of its type */
  | 'INVALID_STATEMENT'
  | 'PAYLOAD_TOO_LARGE'
  | 'CLOCK_SKEW';

export const STATEMENT_ERROR_CODES: readonly StatementErrorCode[] = [
  'MALFORMED_JWS',
  'MALFORMED_JSON',
  'NOT_CANONICAL',
  'BAD_HEADER',
  'UNSUPPORTED_ALG',
  'BAD_SIGNATURE',
  'UNKNOWN_MEMBER',
  'INVALID_STATEMENT',
  'PAYLOAD_TOO_LARGE',
  'CLOCK_SKEW',
];

export class StatementError extends Error {
  override readonly name = 'StatementError';

  constructor(
    readonly code: StatementErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/**
 * Largest member statement, in characters of its compact form. Large enough
 * for a proposal whose 20,000-character text is entirely 4-byte UTF-8
 * (≈ 107,000 base64url characters) plus its other members.
 */
export const MAX_STATEMENT_LENGTH = 128 * 1024;
/**
 * Largest system statement: a fork genesis lists every member and carried
 * delegation of the new circle, so it may be far larger than anything a
 * member sends. Applied before anything is decoded.
 */
export const MAX_SYSTEM_STATEMENT_LENGTH = 16 * 1024 * 1024;

export interface StatementHeader {
  alg: 'EdDSA';
  kid: string;
  typ: StatementTyp;
  /** present exactly on `member.register` */
  jwk?: Ed25519PublicJwk;
}

export interface ParsedStatement {
  /** the compact JWS exactly as received (ids are derived from it, §3.4 / §3.7) */
  jws: string;
  header: StatementHeader;
  headerB64: string;
  payloadB64: string;
  signature: Uint8Array;
  payloadBytes: Uint8Array;
  payload: StatementPayload;
  /** ASCII bytes of `headerB64.payloadB64`: what the signature covers */
  signingInput: Uint8Array;
}

const ED25519_SIGNATURE_BYTES = 64;
const HEADER_MEMBERS: ReadonlySet<string> = new Set(['alg', 'kid', 'typ', 'jwk']);
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Strict base64url: alphabet only, no padding, and the canonical spelling
 * (unused trailing bits zero), so one byte string has one encoding and a
 * signature cannot be re-spelled into a different JWS string.
 */
function decodeBase64url(segment: string): Uint8Array | null {
  return segment.length > 0 && isCanonicalBase64url(segment) ? decodeLenient(segment) : null;
}

/**
 * Whether well-formed JSON text has an object with two members of the same
 * name. `JSON.parse` silently keeps the last one; RFC 7515 §4 lets us refuse,
 * and we do, so that no two readers can see different headers.
 */
function hasDuplicateMembers(json: string): boolean {
  const stack: (Set<string> | null)[] = [];
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      let j = i + 1;
      while (json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      const token = json.slice(i, j + 1);
      i = j;
      let k = j + 1;
      while (json[k] === ' ' || json[k] === '\t' || json[k] === '\n' || json[k] === '\r') k++;
      if (json[k] === ':') {
        const members = stack[stack.length - 1] as Set<string>;
        const name = JSON.parse(token) as string;
        if (members.has(name)) return true;
        members.add(name);
      }
    } else if (c === '{') stack.push(new Set());
    else if (c === '[') stack.push(null);
    else if (c === '}' || c === ']') stack.pop();
  }
  return false;
}

function parseHeader(headerB64: string): StatementHeader {
  const bytes = decodeBase64url(headerB64);
  if (bytes === null) throw new StatementError('MALFORMED_JWS', 'protected header is not base64url', 'header');
  let text: string;
  let raw: unknown;
  try {
    text = utf8.decode(bytes);
    raw = JSON.parse(text);
  } catch {
    throw new StatementError('MALFORMED_JSON', 'protected header is not UTF-8 JSON', 'header');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new StatementError('BAD_HEADER', 'protected header is not a JSON object', 'header');
  }
  if (hasDuplicateMembers(text)) {
    throw new StatementError('BAD_HEADER', 'protected header repeats a member', 'header');
  }
  const h = raw as Record<string, unknown>;

  if (h.alg !== 'EdDSA') {
    throw new StatementError('UNSUPPORTED_ALG', 'alg must be "EdDSA"', 'header.alg');
  }
  for (const member of Object.keys(h)) {
    // `crit`, `b64`, `x5u`, `jku`… would change how the JWS is processed: refuse them all.
    if (!HEADER_MEMBERS.has(member)) {
      throw new StatementError('BAD_HEADER', `unknown protected header member "${member}"`, `header.${member}`);
    }
  }
  if (h.typ !== STATEMENT_TYP && h.typ !== SYSTEM_TYP) {
    throw new StatementError('BAD_HEADER', `typ must be "${STATEMENT_TYP}" or "${SYSTEM_TYP}"`, 'header.typ');
  }
  if (!isMemberId(h.kid)) {
    throw new StatementError('BAD_HEADER', 'kid must be a 43-character base64url key thumbprint', 'header.kid');
  }
  if (h.jwk !== undefined) {
    if (typeof h.jwk === 'object' && h.jwk !== null && Object.hasOwn(h.jwk, 'd')) {
      throw new StatementError('BAD_HEADER', 'jwk holds a private key; never send "d"', 'header.jwk.d');
    }
    if (!isEd25519PublicJwk(h.jwk)) {
      throw new StatementError('BAD_HEADER', 'jwk must be exactly {"crv":"Ed25519","kty":"OKP","x":…}', 'header.jwk');
    }
    if (memberIdOf(h.jwk) !== h.kid) {
      throw new StatementError('BAD_HEADER', 'kid is not the thumbprint of jwk', 'header.kid');
    }
  }
  const header: StatementHeader = { alg: 'EdDSA', kid: h.kid, typ: h.typ };
  if (h.jwk !== undefined) header.jwk = h.jwk;
  return header;
}

/**
 * The protected header of a compact JWS, from its base64url segment, checked
 * exactly as `parseCompact` checks it (throws the same `StatementError`).
 * A pure function of the segment: callers that see the same header on many
 * statements (the log verifier) may cache its result.
 */
export function parseStatementHeader(headerB64: string): StatementHeader {
  return parseHeader(headerB64);
}

// A member signs every statement with the same header (alg, kid, typ): the ones seen lately are
// kept, frozen, by their segment, so the service parses each once and not once per statement.
// Headers with a jwk (registrations, each seen once) and refused ones are not kept.
const HEADERS_KEPT = 4096;
const keptHeaders = new Map<string, Readonly<StatementHeader>>();

function headerOf(headerB64: string): StatementHeader {
  const kept = keptHeaders.get(headerB64);
  if (kept) return kept;
  const header = parseHeader(headerB64);
  if (header.jwk === undefined) {
    if (keptHeaders.size >= HEADERS_KEPT) keptHeaders.clear();
    keptHeaders.set(headerB64, Object.freeze(header));
  }
  return header;
}

/**
 * Parse a compact JWS statement and check everything that needs no key:
 * size, structure, protected header, canonical payload bytes and the
 * payload's schema. Throws a `StatementError`.
 */
export function parseCompact(jws: string): ParsedStatement {
  if (typeof jws !== 'string') throw new StatementError('MALFORMED_JWS', 'a statement is a compact JWS string');
  if (jws.length > MAX_SYSTEM_STATEMENT_LENGTH) {
    throw new StatementError('PAYLOAD_TOO_LARGE', `statement exceeds ${MAX_SYSTEM_STATEMENT_LENGTH} characters`);
  }
  const segments = jws.split('.');
  if (segments.length !== 3) {
    throw new StatementError('MALFORMED_JWS', 'a compact JWS has exactly three dot-separated segments');
  }
  const [headerB64, payloadB64, signatureB64] = segments;

  const header = headerOf(headerB64);
  if (header.typ === STATEMENT_TYP && jws.length > MAX_STATEMENT_LENGTH) {
    throw new StatementError('PAYLOAD_TOO_LARGE', `statement exceeds ${MAX_STATEMENT_LENGTH} characters`);
  }

  const signature = decodeBase64url(signatureB64);
  if (signature === null || signature.length !== ED25519_SIGNATURE_BYTES) {
    throw new StatementError('MALFORMED_JWS', 'signature must be 64 bytes of base64url', 'signature');
  }
  const payloadBytes = decodeBase64url(payloadB64);
  if (payloadBytes === null) throw new StatementError('MALFORMED_JWS', 'payload is not base64url', 'payload');

  const parsed = parseCanonicalJson(payloadBytes);
  if (!parsed.ok) {
    if (parsed.reason === 'NOT_CANONICAL') {
      throw new StatementError('NOT_CANONICAL', 'payload is not in RFC 8785 canonical form', 'payload');
    }
    throw new StatementError('MALFORMED_JSON', 'payload is not UTF-8 JSON', 'payload');
  }

  // The type decides which header is right, so cross-checks come after it is known.
  const type = (parsed.value as { type?: unknown } | null)?.type;
  const signer: SignerKind = header.typ === SYSTEM_TYP ? 'system' : 'member';
  if (isStatementType(type)) {
    if (!isSignableBy(type, signer)) {
      throw new StatementError('BAD_HEADER', `${type} is not signed with typ "${header.typ}"`, 'header.typ');
    }
    if (type === 'member.register' && header.jwk === undefined) {
      throw new StatementError('BAD_HEADER', 'member.register carries its public jwk in the header', 'header.jwk');
    }
    if (type !== 'member.register' && header.jwk !== undefined) {
      throw new StatementError('BAD_HEADER', 'jwk is allowed only on member.register', 'header.jwk');
    }
  }

  const validation = validatePayload(parsed.value, signer);
  if (!validation.ok) throw new StatementError('INVALID_STATEMENT', validation.message, validation.field);

  return {
    jws,
    header,
    headerB64,
    payloadB64,
    signature,
    payloadBytes,
    payload: validation.payload,
    // base64url and a dot: ASCII, whose UTF-8 bytes are its characters.
    signingInput: utf8Bytes(`${headerB64}.${payloadB64}`),
  };
}

/**
 * EdDSA / Ed25519 verification of the statement's signature (RFC 8037 §3.1:
 * Ed25519 over the JWS signing input). `key` is the signer's public key.
 */
export function verifySignature(parsed: ParsedStatement, key: PublicKeyHandle): boolean {
  return verifyEd25519(key, parsed.signingInput, parsed.signature);
}


/**
 * Throws UNKNOWN_MEMBER when no key was found for `kid` (pass `undefined`),
 * BAD_SIGNATURE when the signature does not verify under `key`.
 */
export function assertSignature(parsed: ParsedStatement, key: PublicKeyHandle | undefined): void {
  if (key === undefined) {
    throw new StatementError('UNKNOWN_MEMBER', `no registered key ${parsed.header.kid}`, 'header.kid');
  }
  if (!verifySignature(parsed, key)) {
    throw new StatementError('BAD_SIGNATURE', 'signature does not verify', 'signature');
  }
}

/**
 * SPEC §3.3: `at` must be within `skewSeconds` of the receiver's clock, both
 * ways; exactly `skewSeconds` away is still accepted.
 */
export function checkClock(at: string, nowMs: number, skewSeconds: number): void {
  const atMs = parseTimestamp(at);
  if (atMs === null) throw new StatementError('INVALID_STATEMENT', 'at is not a timestamp', 'at');
  if (Math.abs(atMs - nowMs) > skewSeconds * 1000) {
    throw new StatementError('CLOCK_SKEW', `at is more than ${skewSeconds} s from the server clock`, 'at');
  }
}
