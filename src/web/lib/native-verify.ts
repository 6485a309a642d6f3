// Ed25519 signature checks by the browser's own WebCrypto (native code, asynchronous), ahead of the
// core's. The core's log verifier is synchronous and, in a page, runs the pure-JS Ed25519 of
// src/core/crypto (2–3 ms a signature: minutes for a 100,000-entry log). So the audit first hands
// each batch of lines to `confirmSignatures`, which checks their signatures with
// crypto.subtle.verify, all at once; the provider installed by `installNativeVerify` then accepts,
// without redoing the arithmetic, exactly the (key, message, signature) triples WebCrypto confirmed,
// byte for byte. Anything else (a signature WebCrypto refused, a key it could not import, a line it
// could not parse) goes to the pure-JS check as before, whose verdict stands: a tampered entry fails
// exactly as it did, and every other check of the core (format, chain, keys over time, replay) runs
// unchanged on every line.
import { cryptoProvider, decodeBase64url, equalBytes, importPublicKey, toBase64url, useCrypto, utf8, type PublicKeyHandle } from '../../core/crypto/crypto';

const confirmed = new Map<string, { key: Uint8Array; message: Uint8Array }>();
const nativeKeys = new Map<string, Promise<CryptoKey | null>>();
let installed = false;

/** Let the core's Ed25519 checks use what WebCrypto confirmed (once, at start). */
export function installNativeVerify(): void {
  if (installed || typeof crypto === 'undefined' || !crypto.subtle) return;
  installed = true;
  const base = cryptoProvider();
  useCrypto({
    ...base,
    name: `${base.name}+webcrypto`,
    verify(key, message, signature) {
      const id = toBase64url(signature);
      const done = confirmed.get(id);
      if (done) {
        confirmed.delete(id);
        if (equalBytes(done.message, message) && equalBytes(done.key, base.exportPublicKey(key))) return true;
      }
      return base.verify(key, message, signature);
    },
  });
}

/** Forget confirmations not used (an audit that stopped at a failure). */
export function forgetConfirmed(): void {
  confirmed.clear();
}

function nativeKey(raw: Uint8Array): Promise<CryptoKey | null> {
  const id = toBase64url(raw);
  let key = nativeKeys.get(id);
  if (!key) {
    key = crypto.subtle.importKey('raw', raw as BufferSource, { name: 'Ed25519' }, false, ['verify']).catch(() => null);
    nativeKeys.set(id, key);
  }
  return key;
}

const text = new TextDecoder();

/**
 * Check the signatures of these entry lines with WebCrypto, all at once. `keyOf` gives the key a
 * `kid` names as far as the caller knows; a `member.register` signs with the key in its header.
 */
export async function confirmSignatures(lines: readonly string[], keyOf: (kid: string) => PublicKeyHandle | undefined): Promise<void> {
  if (!installed) return;
  await Promise.all(
    lines.map(async (line) => {
      try {
        const { jws } = JSON.parse(line) as { jws?: unknown };
        if (typeof jws !== 'string') return;
        const dot1 = jws.indexOf('.');
        const dot2 = jws.lastIndexOf('.');
        if (dot1 <= 0 || dot2 <= dot1) return;
        const header = JSON.parse(text.decode(decodeBase64url(jws.slice(0, dot1)) ?? new Uint8Array())) as { kid?: string; jwk?: { x?: string } };
        const handle = (typeof header.kid === 'string' ? keyOf(header.kid) : undefined) ?? fromJwk(header.jwk);
        const signature = decodeBase64url(jws.slice(dot2 + 1));
        if (!handle || !signature || signature.length !== 64) return;
        const raw = cryptoProvider().exportPublicKey(handle);
        const key = await nativeKey(raw);
        const message = utf8(jws.slice(0, dot2));
        if (key && (await crypto.subtle.verify({ name: 'Ed25519' }, key, signature as BufferSource, message as BufferSource))) {
          confirmed.set(toBase64url(signature), { key: raw, message });
        }
      } catch {
        // left to the core's checks, which say what is wrong with the line
      }
    }),
  );
}

function fromJwk(jwk: { x?: string } | undefined): PublicKeyHandle | undefined {
  const raw = typeof jwk?.x === 'string' ? decodeBase64url(jwk.x) : null;
  return raw && raw.length === 32 ? importPublicKey(raw) : undefined;
}
