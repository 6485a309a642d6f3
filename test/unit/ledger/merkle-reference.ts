// Reference RFC 6962 §2.1 definitions, transcribed literally (recursive, O(n)),
// to check the storage-backed implementation against. Test-only.
import { leafHash, nodeHash, rootFromLeafHashes } from '../../../src/core/formats/merkle';

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

/** Distinct, deterministic leaf hashes for tests. */
export function testLeaves(n: number, salt = ''): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) out.push(leafHash(new TextEncoder().encode(`${salt}leaf-${i}`)));
  return out;
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** RFC 6962 §2.1.1 PATH(m, D[n]). */
export function referencePath(m: number, d: Uint8Array[]): Uint8Array[] {
  const n = d.length;
  if (n === 1) return [];
  const k = largestPowerOfTwoBelow(n);
  return m < k
    ? [...referencePath(m, d.slice(0, k)), rootFromLeafHashes(d.slice(k))]
    : [...referencePath(m - k, d.slice(k)), rootFromLeafHashes(d.slice(0, k))];
}

/** RFC 6962 §2.1.2 SUBPROOF(m, D[n], b). */
function subproof(m: number, d: Uint8Array[], b: boolean): Uint8Array[] {
  const n = d.length;
  if (m === n) return b ? [] : [rootFromLeafHashes(d)];
  const k = largestPowerOfTwoBelow(n);
  return m <= k
    ? [...subproof(m, d.slice(0, k), b), rootFromLeafHashes(d.slice(k))]
    : [...subproof(m - k, d.slice(k), false), rootFromLeafHashes(d.slice(0, k))];
}

/** RFC 6962 §2.1.2 PROOF(m, D[n]); empty for m = 0 (not defined by the RFC). */
export function referenceConsistency(m: number, d: Uint8Array[]): Uint8Array[] {
  return m === 0 ? [] : subproof(m, d, true);
}

export { nodeHash };
