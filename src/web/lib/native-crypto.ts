// The browser's native code where the core's pure-JS provider is slowest, for the audit of long
// logs (npm run bench:web measures it).
//
// Ed25519: the core's log verifier is synchronous and, in a page, runs the pure-JS Ed25519 of
// src/core/crypto (2–3 ms a signature: minutes for a 100,000-entry log). So the audit first hands
// each batch of lines to `confirmSignatures`, which checks their signatures with
// crypto.subtle.verify; the provider installed by `installNativeCrypto` then accepts, without
// redoing the arithmetic, exactly the (key, message, signature) triples WebCrypto confirmed, byte
// for byte. Anything else (a signature WebCrypto refused, a key it could not import, a line it
// could not parse) goes to the pure-JS check as before, whose verdict stands: a tampered entry fails
// exactly as it did, and every other check of the core (format, chain, keys over time, replay) runs
// unchanged on every line.
//
// base64: the provider's encoding and decoding by the browser's btoa/atob, as strict as the pure-JS
// one (the alphabet, the padding, and no stray bits: what does not encode back to the same text is
// refused).
import { cryptoProvider, decodeBase64url, equalBytes, importPublicKey, useCrypto, utf8, type PublicKeyHandle } from '../../core/crypto/crypto';

/** WebCrypto's confirmations not used yet, by signature. */
const confirmed = new Map<string, { key: Uint8Array; message: Uint8Array; signature: Uint8Array }>();
/** WebCrypto's handles of the keys met so far (null: it could not import one). */
const nativeKeys = new Map<string, CryptoKey | null>();
/** Protected headers repeat once per signer: read once each. */
const headers = new Map<string, { kid?: string; handle?: PublicKeyHandle }>();
let installed = false;

/** Bytes as a string, one character each: a cheap exact Map key (base64 costs far more in a page). */
const bytesKey = (bytes: Uint8Array): string => String.fromCharCode.apply(null, bytes as unknown as number[]);

/** Let the core's Ed25519 checks use what WebCrypto confirmed, and its base64 the browser's (once, at start). */
export function installNativeCrypto(): void {
  if (installed || typeof crypto === 'undefined' || !crypto.subtle) return;
  installed = true;
  const base = cryptoProvider();
  useCrypto({
    ...base,
    name: `${base.name}+webcrypto`,
    encodeBase64: encodeNative,
    decodeBase64: decodeNative,
    verify(key, message, signature) {
      const id = bytesKey(signature);
      const done = confirmed.get(id);
      if (done) {
        confirmed.delete(id);
        if (equalBytes(done.signature, signature) && equalBytes(done.message, message) && equalBytes(done.key, base.exportPublicKey(key))) return true;
      }
      return base.verify(key, message, signature);
    },
  });
}

/** base64 (standard, padded) or base64url (no padding) by btoa. */
export function encodeNative(bytes: Uint8Array, url: boolean): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as number[]);
  const b64 = btoa(bin);
  return url ? b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '') : b64;
}

const URL_ALPHABET = /^[A-Za-z0-9_-]*$/;
const STD_ALPHABET = /^[A-Za-z0-9+/]*={0,2}$/;

/** The bytes of canonical base64 (padded) or base64url (unpadded); null for anything else. */
export function decodeNative(text: string, url: boolean): Uint8Array | null {
  if (url ? !URL_ALPHABET.test(text) || text.length % 4 === 1 : !STD_ALPHABET.test(text) || text.length % 4 !== 0) return null;
  let bin: string;
  try {
    bin = atob(url ? text.replace(/-/g, '+').replace(/_/g, '/') : text);
  } catch {
    return null;
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return encodeNative(out, url) === text ? out : null;
}

/** Forget confirmations not used (an audit that stopped at a failure), and the headers read. */
export function forgetConfirmed(): void {
  confirmed.clear();
  headers.clear();
}

async function nativeKey(raw: Uint8Array): Promise<CryptoKey | null> {
  const id = bytesKey(raw);
  let key = nativeKeys.get(id);
  if (key === undefined) {
    key = await crypto.subtle.importKey('raw', raw as BufferSource, { name: 'Ed25519' }, false, ['verify']).catch(() => null);
    nativeKeys.set(id, key);
  }
  return key;
}

const text = new TextDecoder();

/** A JWS header as far as finding its key goes: the key in it (a registration), or its kid. */
function readHeader(h64: string): { kid?: string; handle?: PublicKeyHandle } {
  let header = headers.get(h64);
  if (!header) {
    const h = JSON.parse(text.decode(decodeBase64url(h64) ?? new Uint8Array())) as { kid?: unknown; jwk?: { x?: unknown } };
    const raw = typeof h.jwk?.x === 'string' ? decodeBase64url(h.jwk.x) : null;
    header = { kid: typeof h.kid === 'string' ? h.kid : undefined, handle: raw && raw.length === 32 ? importPublicKey(raw) : undefined };
    headers.set(h64, header);
  }
  return header;
}

/** The longest this spends on the main thread at once: WebCrypto's Ed25519 runs there in Chromium. */
const SLICE_MS = 30;
const tick = () => new Promise<void>((r) => setTimeout(r, 0));

/**
 * Check the signatures of these entry lines with WebCrypto, yielding to the page every SLICE_MS
 * (Chromium computes each `crypto.subtle.verify` on the main thread, within the call).
 * A `member.register` signs with the key in its header (the core checks that its kid is that key's);
 * `keyOf` gives the key any other `kid` names, as far as the caller knows.
 */
export async function confirmSignatures(lines: readonly string[], keyOf: (kid: string) => PublicKeyHandle | undefined): Promise<void> {
  if (!installed) return;
  const pending: Promise<void>[] = [];
  let since = performance.now();
  for (const line of lines) {
    const signed = readSigned(line, keyOf);
    if (signed) {
      const key = nativeKeys.get(bytesKey(signed.key)) ?? (await nativeKey(signed.key));
      if (key) {
        const { key: raw, message, signature } = signed;
        pending.push(
          crypto.subtle.verify({ name: 'Ed25519' }, key, signature as BufferSource, message as BufferSource).then(
            (ok) => {
              if (ok) confirmed.set(bytesKey(signature), { key: raw, message, signature });
            },
            () => undefined,
          ),
        );
      }
    }
    if (performance.now() - since > SLICE_MS) {
      await tick();
      since = performance.now();
    }
  }
  await Promise.all(pending);
}

/** What a line's signature covers, and the key that should have made it; null when it cannot tell (left to the core). */
function readSigned(line: string, keyOf: (kid: string) => PublicKeyHandle | undefined): { key: Uint8Array; message: Uint8Array; signature: Uint8Array } | null {
  try {
    const { jws } = JSON.parse(line) as { jws?: unknown };
    if (typeof jws !== 'string') return null;
    const dot1 = jws.indexOf('.');
    const dot2 = jws.lastIndexOf('.');
    if (dot1 <= 0 || dot2 <= dot1) return null;
    const header = readHeader(jws.slice(0, dot1));
    const handle = header.handle ?? (header.kid !== undefined ? keyOf(header.kid) : undefined);
    const signature = decodeNative(jws.slice(dot2 + 1), true);
    if (!handle || !signature || signature.length !== 64) return null;
    return { key: cryptoProvider().exportPublicKey(handle), message: utf8(jws.slice(0, dot2)), signature };
  } catch {
    return null;
  }
}
