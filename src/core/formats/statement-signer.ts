// SPEC §3.3 — producing statements: acts as one member (or as the instance)
// for tests, benchmarks and the CLI. The server itself never holds a
// member's private key.
import { cryptoProvider, decodeBase64url, importPublicKey, type PrivateKeyHandle, type PublicKeyHandle, randomBytes, toBase64url } from '../crypto/crypto';
import { monotonicFactory } from 'ulid';
import { canonicalJson, formatTimestamp } from './canonical-json';
import { Ed25519PrivateJwk, Ed25519PublicJwk, memberIdOf } from './keys';
import {
  BodyOf,
  isSignableBy,
  Seen,
  STATEMENT_TYP,
  StatementTyp,
  StatementType,
  SYSTEM_TYP,
} from './statement-types';

export interface SignOptions {
  /** the payload `id`; a fresh ULID by default */
  id?: string;
  /** the payload `at`; the current time by default */
  at?: string;
  seen?: Seen;
  /** defaults to archipel-statement for member types, archipel-system for system-only types */
  typ?: StatementTyp;
  /** put the public `jwk` in the header; defaults to true exactly for member.register */
  includeJwk?: boolean;
}

const encoder = new TextEncoder();
/**
 * Monotonic within a millisecond (the random part is incremented): ids stay
 * unique and ordered per process, and cost a few µs instead of the ~80 µs of
 * fresh randomness per `ulid()` — the ingest benchmark signs tens of thousands.
 */
const nextUlid = monotonicFactory();
const b64url = toBase64url;

export class StatementSigner {
  /** member id: RFC 7638 thumbprint of the public JWK */
  readonly id: string;
  readonly publicJwk: Ed25519PublicJwk;
  /** the imported public key, for verifying what this signer produced */
  readonly publicKey: PublicKeyHandle;
  /** the raw 32-byte public key (C2SP notes name keys by it) */
  readonly rawPublicKey: Uint8Array;

  /** Signs raw bytes: the private key here, or an external signer's call. */
  private readonly signMessage: (message: Uint8Array) => Uint8Array;
  private readonly privateKey: PrivateKeyHandle | null;

  private constructor(key: PrivateKeyHandle | { rawPublicKey: Uint8Array; signBytes: (message: Uint8Array) => Uint8Array }) {
    if (isExternal(key)) {
      this.privateKey = null;
      this.rawPublicKey = key.rawPublicKey.slice();
      this.signMessage = key.signBytes;
    } else {
      this.privateKey = key;
      this.rawPublicKey = cryptoProvider().publicKeyOf(key);
      this.signMessage = (message) => cryptoProvider().sign(key, message);
    }
    this.publicKey = importPublicKey(this.rawPublicKey);
    this.publicJwk = { kty: 'OKP', crv: 'Ed25519', x: toBase64url(this.rawPublicKey) };
    this.id = memberIdOf(this.publicJwk);
  }

  /**
   * A signer whose private key lives elsewhere (a hardware module, a key service, a signing
   * process): `signBytes` returns its 64-byte Ed25519 signature over the message. Every signature
   * it makes is checked against `rawPublicKey` before use, so a wrong signer fails loudly.
   */
  static external(rawPublicKey: Uint8Array, signBytes: (message: Uint8Array) => Uint8Array): StatementSigner {
    if (rawPublicKey.length !== 32) throw new TypeError('external: the Ed25519 public key is 32 bytes');
    const publicKey = importPublicKey(rawPublicKey);
    return new StatementSigner({
      rawPublicKey,
      signBytes(message) {
        const signature = signBytes(message);
        if (!cryptoProvider().verify(publicKey, message, signature)) throw new Error('external signer: the signature does not verify under the instance public key');
        return signature;
      },
    });
  }

  static generate(): StatementSigner {
    return StatementSigner.fromSeed(randomBytes(32));
  }

  /** A signer from a 32-byte Ed25519 seed (RFC 8032 private key). */
  static fromSeed(seed: Uint8Array): StatementSigner {
    return new StatementSigner(cryptoProvider().importPrivateKey(seed));
  }

  /** Load a private Ed25519 JWK; its `x`, when given, must match the key `d` derives. */
  static fromPrivateJwk(jwk: { kty: string; crv: string; d: string; x?: string }): StatementSigner {
    if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.d !== 'string') {
      throw new TypeError('fromPrivateJwk: not a private OKP Ed25519 JWK');
    }
    const seed = decodeBase64url(jwk.d);
    if (seed === null || seed.length !== 32 || toBase64url(seed) !== jwk.d) {
      throw new TypeError('fromPrivateJwk: d must be 32 bytes of base64url');
    }
    // `x` is derived from the seed, never trusted.
    const signer = StatementSigner.fromSeed(seed);
    if (jwk.x !== undefined && jwk.x !== signer.publicJwk.x) {
      throw new TypeError('fromPrivateJwk: x does not belong to d');
    }
    return signer;
  }

  /** The private JWK, for the CLI to store. Handle with care. */
  exportPrivateJwk(): Ed25519PrivateJwk {
    if (this.privateKey === null) throw new Error('exportPrivateJwk: the private key of an external signer is not here');
    return { ...this.publicJwk, d: toBase64url(cryptoProvider().exportPrivateKey(this.privateKey)) };
  }

  /**
   * Sign a statement: header `{"alg":"EdDSA","kid":…,"typ":…}` (+ `jwk` for
   * member.register), payload the JCS bytes of
   * `{v:1,type,id,circle,at,body[,seen]}`.
   */
  sign<T extends StatementType>(type: T, circle: string | null, body: BodyOf<T>, opts: SignOptions = {}): string {
    const { payload, typ, includeJwk } = statementPayload(type, circle, body, opts);
    return this.signPayload(payload, { typ, includeJwk });
  }

  /**
   * Sign any payload object (canonicalized, not validated): for crafting
   * statements with bad bodies in tests.
   */
  signPayload(payload: unknown, opts: { typ?: StatementTyp; includeJwk?: boolean } = {}): string {
    return this.signRaw(statementHeader(this.id, this.publicJwk, opts), canonicalJson(payload));
  }

  /** A bare Ed25519 signature (64 bytes) over `message`: for C2SP signed notes (checkpoints). */
  signBytes(message: Uint8Array): Uint8Array {
    return this.signMessage(message);
  }

  /**
   * Sign exactly these header and payload bytes (a header object is
   * serialized with JSON.stringify; a string is used as is): for crafting bad
   * inputs in tests.
   */
  signRaw(header: object | string, payloadBytes: Uint8Array | string): string {
    const signingInput = `${b64url(typeof header === 'string' ? header : JSON.stringify(header))}.${b64url(payloadBytes)}`;
    const signature = this.signMessage(encoder.encode(signingInput));
    return `${signingInput}.${toBase64url(signature)}`;
  }
}

/** The payload of a statement (SPEC §3.3) and how its header is to be written. */
export function statementPayload<T extends StatementType>(
  type: T,
  circle: string | null,
  body: BodyOf<T>,
  opts: SignOptions = {},
): { payload: Record<string, unknown>; typ: StatementTyp; includeJwk: boolean } {
  const payload: Record<string, unknown> = {
    v: 1,
    type,
    id: opts.id ?? nextUlid(),
    circle,
    at: opts.at ?? formatTimestamp(Date.now()),
    body,
  };
  if (opts.seen !== undefined) payload.seen = opts.seen;
  const typ = opts.typ ?? (isSignableBy(type, 'member') ? STATEMENT_TYP : SYSTEM_TYP);
  return { payload, typ, includeJwk: opts.includeJwk ?? type === 'member.register' };
}

/** The protected header `{"alg":"EdDSA","kid":…,"typ":…}` (+ `jwk`). */
export function statementHeader(kid: string, jwk: Ed25519PublicJwk, opts: { typ?: StatementTyp; includeJwk?: boolean } = {}): Record<string, unknown> {
  const header: Record<string, unknown> = { alg: 'EdDSA', kid, typ: opts.typ ?? STATEMENT_TYP };
  if (opts.includeJwk) header.jwk = jwk;
  return header;
}

/** Signs the bytes of a JWS signing input with a key the caller holds (WebCrypto in browsers). */
export type AsyncSign = (signingInput: Uint8Array) => Promise<Uint8Array>;

/**
 * A statement signed by a key this code never sees (a browser's non-extractable WebCrypto key):
 * the same payload, header and serialization as `StatementSigner.sign`, with the signature
 * computed by `sign`.
 */
export async function signStatementWith<T extends StatementType>(
  sign: AsyncSign,
  publicJwk: Ed25519PublicJwk,
  type: T,
  circle: string | null,
  body: BodyOf<T>,
  opts: SignOptions = {},
): Promise<string> {
  const { payload, typ, includeJwk } = statementPayload(type, circle, body, opts);
  const header = statementHeader(memberIdOf(publicJwk), publicJwk, { typ, includeJwk });
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(canonicalJson(payload))}`;
  const signature = await sign(encoder.encode(signingInput));
  return `${signingInput}.${toBase64url(signature)}`;
}

function isExternal(key: unknown): key is { rawPublicKey: Uint8Array; signBytes: (message: Uint8Array) => Uint8Array } {
  return typeof key === 'object' && key !== null && 'signBytes' in key && 'rawPublicKey' in key;
}
