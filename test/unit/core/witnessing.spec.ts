import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { cosign, mergeSignatures } from '../../../src/core/formats/cosignature';
import { formatCheckpoint, formatVerifierKey, signNote } from '../../../src/core/formats/signed-note';
import { readWitnessing } from '../../../src/core/verify/witnessing';

function keyPair(): { raw: Uint8Array; signer: (m: Uint8Array) => Uint8Array } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = new Uint8Array(Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url'));
  return { raw, signer: (m) => new Uint8Array(sign(null, m, privateKey as KeyObject)) };
}

describe('web witnesses: who cosigned the latest checkpoint', () => {
  const instance = keyPair();
  const noteKey = formatVerifierKey('a.example', instance.raw);
  const origin = 'a.example/circles/c1';
  const text = formatCheckpoint(origin, 42, new Uint8Array(32).fill(9));
  const note = signNote(text, 'a.example', instance.raw, instance.signer);
  const [w1, w2] = [keyPair(), keyPair()];

  it('is none for the instance\'s own checkpoint, with no cosignature', () => {
    expect(readWitnessing(note, noteKey, origin)).toEqual({ state: 'none' });
  });

  it('names each witness once, with its latest time, and the size it cosigned', () => {
    const lines = [cosign(text, 'z.example/witness', w2.raw, 1_700_000_100, w2.signer), cosign(text, 'b.example/witness', w1.raw, 1_700_000_000, w1.signer), cosign(text, 'b.example/witness', w1.raw, 1_700_000_050, w1.signer)];
    expect(readWitnessing(mergeSignatures(note, lines), noteKey, origin)).toEqual({
      state: 'cosigned',
      size: 42,
      witnesses: [
        { name: 'b.example/witness', timestamp: 1_700_000_050 },
        { name: 'z.example/witness', timestamp: 1_700_000_100 },
      ],
    });
  });

  it('refuses a note the instance did not sign, or of another log', () => {
    const other = keyPair();
    const forged = mergeSignatures(signNote(text, 'a.example', other.raw, other.signer), [cosign(text, 'b.example/witness', w1.raw, 1, w1.signer)]);
    expect(() => readWitnessing(forged, noteKey, origin)).toThrow(expect.objectContaining({ code: 'BAD_CHECKPOINT' }));
    expect(() => readWitnessing(note, noteKey, 'a.example/circles/c2')).toThrow(expect.objectContaining({ code: 'WRONG_ORIGIN' }));
  });
});
