// The recovery key as words: its 32-byte Ed25519 seed encoded with the BIP39
// English word list (24 words, the last carrying a checksum), so a typo is
// caught before anything is signed.
import { entropyToMnemonic, mnemonicToEntropy, validateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english';
import { StatementSigner } from '../core/formats/statement-signer';

export function seedToWords(seed: Uint8Array): string {
  if (seed.length !== 32) throw new RangeError('a recovery seed is 32 bytes');
  return entropyToMnemonic(seed, wordlist);
}

/** The seed behind 24 words (any spacing or case), or null if they are not valid words with a good checksum. */
export function wordsToSeed(words: string): Uint8Array | null {
  const normal = words.trim().toLowerCase().split(/\s+/).join(' ');
  if (!validateMnemonic(normal, wordlist)) return null;
  const seed = mnemonicToEntropy(normal, wordlist);
  return seed.length === 32 ? seed : null;
}

export function recoverySigner(words: string): StatementSigner | null {
  const seed = wordsToSeed(words);
  return seed === null ? null : StatementSigner.fromSeed(seed);
}
