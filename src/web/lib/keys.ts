// Keys over time in the page (SPEC §11), the pure part: device links and codes, her keys as the
// service lists them, the recovery key from her words or file. The flows that sign and store are
// in lib/devices.ts. Unit-tested in test/unit/web/keys.spec.ts.
import { mnemonicToEntropy, validateMnemonic } from '@scure/bip39';
import { wordlist as english } from '@scure/bip39/wordlists/english';
import { wordlist as french } from '@scure/bip39/wordlists/french';
import { decodeBase64url, toBase64url } from '../../core/crypto/crypto';
import { memberIdOf, type Ed25519PublicJwk } from '../../core/formats/keys';
import { StatementSigner } from '../../core/formats/statement-signer';
import type { Member, MemberKey } from './api';

/** A refusal of the page itself (not the service's), with a code translated like the API's. */
export class KeyError extends Error {
  constructor(readonly code: 'DEVICE_CODE_BAD' | 'RECOVERY_WORDS_BAD' | 'RECOVERY_UNKNOWN') {
    super(code);
    this.name = 'KeyError';
  }
}

/** The link a waiting device shows: opened where she is known, it offers to add this key. */
export function deviceLink(origin: string, jwk: Pick<Ed25519PublicJwk, 'x'>): string {
  return `${origin}/device/${jwk.x}`;
}

/** A device's link or bare code as pasted, as the public key it carries; null when it is neither. */
export function parseDeviceCode(text: string): Ed25519PublicJwk | null {
  const m = /^(?:\S*\/device\/)?([A-Za-z0-9_-]{43})\/?$/.exec(text.trim());
  if (!m) return null;
  const raw = decodeBase64url(m[1]);
  if (raw === null || raw.length !== 32 || toBase64url(raw) !== m[1]) return null;
  return { kty: 'OKP', crv: 'Ed25519', x: m[1] };
}

/** Her keys as the service lists them (a service from before SPEC §11: the registration key only). */
export function keysOf(view: Member): MemberKey[] {
  return view.keys ?? [{ kid: view.id, jwk: view.jwk, addedAt: '' }];
}

/** This device's key among hers; undefined when the service does not know it as hers. */
export function deviceKeyIn(view: Member, publicJwk: Ed25519PublicJwk): MemberKey | undefined {
  const kid = memberIdOf(publicJwk);
  return keysOf(view).find((k) => k.kid === kid);
}

function fromWords(text: string): StatementSigner | null {
  const normal = text.normalize('NFKD').trim().toLowerCase().split(/\s+/).join(' ');
  for (const list of [english, french]) {
    if (!validateMnemonic(normal, list)) continue;
    const seed = mnemonicToEntropy(normal, list);
    if (seed.length === 32) return StatementSigner.fromSeed(seed);
  }
  return null;
}

/**
 * The recovery key from what she kept: her 24 words (French or English list, any spacing or case),
 * the file the page offered at registration, or the CLI's recovery file (the words on its last
 * line). Null when it is none of these; a typo fails the words' checksum.
 */
export function recoverySignerFrom(text: string): StatementSigner | null {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const file = JSON.parse(trimmed) as { jwk?: { kty: string; crv: string; d: string; x?: string }; words?: unknown };
      if (file.jwk && typeof file.jwk.d === 'string') return StatementSigner.fromPrivateJwk(file.jwk);
      return typeof file.words === 'string' ? fromWords(file.words) : null;
    } catch {
      return null;
    }
  }
  return fromWords(trimmed) ?? fromWords(trimmed.split('\n').filter((l) => l.trim() !== '').pop() ?? '');
}
