// SPEC §3.1 — canonical JSON (RFC 8785 JCS), base64url and timestamps.
import canonicalize from 'canonicalize';
import { decodeBase64url, isCanonicalBase64url, toBase64url } from '../crypto/crypto';

export type ParseCanonicalJsonResult =
  | { ok: true; value: unknown }
  | { ok: false; reason: 'NOT_UTF8' | 'NOT_JSON' | 'NOT_CANONICAL' };

/**
 * RFC 8785 serialization. Throws a TypeError on anything outside the I-JSON data
 * model (functions, symbols, bigints, non-finite numbers, lone surrogates,
 * `undefined` at the top level or inside arrays). `undefined` object members are
 * omitted, as JSON.stringify does, so optional fields can be left unset.
 */
export function canonicalJson(value: unknown): string {
  assertJsonValue(value, '$');
  const out = canonicalize(value);
  if (out === undefined) throw new TypeError('canonicalJson: value has no JSON form');
  return out;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Accepts `bytes` only if they are exactly the RFC 8785 form of the value they
 * denote. Comparing with the re-canonicalized text rejects in one go duplicate
 * keys, whitespace, key order, number and escape variants.
 */
export function parseCanonicalJson(bytes: Uint8Array): ParseCanonicalJsonResult {
  let text: string;
  try {
    // ignoreBOM keeps a leading U+FEFF in the text, where JSON.parse refuses it
    // (RFC 8259 forbids a BOM): a BOM therefore yields NOT_JSON.
    text = utf8Decoder.decode(bytes);
  } catch {
    return { ok: false, reason: 'NOT_UTF8' };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'NOT_JSON' };
  }
  let canonical: string;
  try {
    canonical = canonicalJson(value);
  } catch {
    // e.g. 1e400 parses to Infinity, "\ud800" to a lone surrogate: valid JSON, not I-JSON.
    return { ok: false, reason: 'NOT_CANONICAL' };
  }
  // Strict UTF-8 decoding is a bijection onto well-formed strings, so comparing
  // strings is comparing bytes.
  if (canonical !== text) return { ok: false, reason: 'NOT_CANONICAL' };
  return { ok: true, value };
}

// Lone surrogates are not I-JSON (RFC 7493 §2.1), which RFC 8785 requires.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True if `s` has no lone surrogate, i.e. it has an exact UTF-8 encoding. */
export function isWellFormedString(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

function assertJsonValue(value: unknown, path: string): void {
  switch (typeof value) {
    case 'string':
      if (!isWellFormedString(value)) throw new TypeError(`canonicalJson: lone surrogate at ${path}`);
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number at ${path}`);
      return;
    case 'boolean':
      return;
    case 'object': {
      if (value === null) return;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (value[i] === undefined) throw new TypeError(`canonicalJson: undefined at ${path}[${i}]`);
          assertJsonValue(value[i], `${path}[${i}]`);
        }
        return;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        // Dates, Buffers, class instances: serialize them explicitly instead.
        throw new TypeError(`canonicalJson: non-plain object at ${path}`);
      }
      for (const key of Object.keys(value)) {
        if (!isWellFormedString(key)) throw new TypeError(`canonicalJson: lone surrogate in a key at ${path}`);
        const member = (value as Record<string, unknown>)[key];
        if (member !== undefined) assertJsonValue(member, `${path}.${key}`);
      }
      return;
    }
    default:
      throw new TypeError(`canonicalJson: ${typeof value} at ${path} has no JSON form`);
  }
}

/** base64url without padding (RFC 4648 §5), as used for binary values in JSON. */
export function base64url(bytes: Uint8Array): string {
  return toBase64url(bytes);
}

/**
 * Strict inverse of base64url(): returns null (never throws) on padding,
 * characters outside the alphabet, an impossible length, or non-zero trailing
 * bits, so that every byte string has exactly one accepted encoding.
 */
export function fromBase64url(s: string): Uint8Array | null {
  return isCanonicalBase64url(s) ? decodeBase64url(s) : null;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

// The last instant formatted: a batch of entries is recorded at one millisecond, and each entry's
// time is formatted, then checked by parsing it back (which formats it again).
let lastFormatted = { ms: NaN, text: '' };

/** `YYYY-MM-DDTHH:MM:SS.sssZ`; throws a RangeError outside years 0000–9999 or on a non-integer. */
export function formatTimestamp(ms: number): string {
  if (ms === lastFormatted.ms) return lastFormatted.text;
  if (!Number.isSafeInteger(ms)) throw new RangeError(`formatTimestamp: not an integer millisecond count: ${ms}`);
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) throw new RangeError(`formatTimestamp: out of range: ${ms}`);
  const s = d.toISOString();
  // toISOString switches to ±YYYYYY outside 0000–9999, which is not our form.
  if (!TIMESTAMP.test(s)) throw new RangeError(`formatTimestamp: year out of range: ${ms}`);
  lastFormatted = { ms, text: s };
  return s;
}

/** Milliseconds since the epoch, or null unless `s` is exactly in the §3.1 form and a real instant. */
export function parseTimestamp(s: string): number | null {
  if (!TIMESTAMP.test(s)) return null;
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) return null;
  // V8 rolls 2026-02-30 over to March 2 and 24:00 to the next day: the round trip refuses both.
  return formatTimestamp(ms) === s ? ms : null;
}
