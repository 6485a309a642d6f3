import { createHash, createPrivateKey, createPublicKey, sign as cryptoSign } from 'node:crypto';
import fc from 'fast-check';
import {
  cosign,
  cosignatureKeyId,
  cosignedMessage,
  cosigners,
  formatWitnessKey,
  mergeSignatures,
  parseSignatureLine,
  parseSignatureLines,
  parseWitnessKey,
  readCosignature,
  splitNote,
  verifyCosignature,
} from '../../../src/core/formats/cosignature';
import { formatCheckpoint, openNote, formatVerifierKey, signNote } from '../../../src/core/formats/signed-note';

const EM = '\u2014';

function newKey(label: string): { publicKey: Uint8Array; sign: (m: Uint8Array) => Uint8Array } {
  const seed = createHash('sha256').update(label).digest();
  const privateKey = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' });
  const x = createPublicKey(privateKey).export({ format: 'jwk' }).x as string;
  return { publicKey: new Uint8Array(Buffer.from(x, 'base64url')), sign: (m) => new Uint8Array(cryptoSign(null, m, privateKey)) };
}

// The example of C2SP tlog-cosignature: a checkpoint of example.com/behind-the-sofa cosigned by witness.example.com/w1.
const C2SP_CHECKPOINT = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
const C2SP_NOTE =
  `${C2SP_CHECKPOINT}\n` +
  `${EM} example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n` +
  `${EM} witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n`;

const log = newKey('log');
const w1 = newKey('w1');
const w2 = newKey('w2');
const text = formatCheckpoint('example.org/circles/abc', 5, new Uint8Array(32).fill(7));
const note = signNote(text, 'example.org', log.publicKey, log.sign);

describe('C2SP tlog-cosignature example', () => {
  it('reads the example cosignature line: key id, and the timestamp of the example signed message (1679315147)', () => {
    const { text: body, lines } = splitNote(C2SP_NOTE);
    expect(body).toBe(C2SP_CHECKPOINT);
    const cosig = readCosignature(lines[1]);
    expect(cosig).not.toBeNull();
    expect(cosig!.name).toBe('witness.example.com/w1');
    expect(Buffer.from(cosig!.keyId).toString('hex')).toBe('8d66cf3f');
    expect(cosig!.timestamp).toBe(1679315147);
    // The log's own line is a signed-note signature (68 bytes), not a cosignature (76 bytes).
    expect(readCosignature(lines[0])).toBeNull();
  });

  it('builds the signed message exactly as the C2SP example shows', () => {
    expect(Buffer.from(cosignedMessage(C2SP_CHECKPOINT, 1679315147)).toString()).toBe(
      'cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
    );
  });
});

describe('cosignature/v1 keys', () => {
  it('key id is SHA-256(name ‖ 0x0A ‖ 0x04 ‖ key)[:4], distinct from the 0x01 signed-note key id', () => {
    const expected = createHash('sha256').update(Buffer.concat([Buffer.from('w.example/w1\n'), Buffer.from([4]), w1.publicKey])).digest().subarray(0, 4);
    expect(Buffer.from(cosignatureKeyId('w.example/w1', w1.publicKey))).toEqual(expected);
    expect(formatWitnessKey('w.example/w1', w1.publicKey)).not.toBe(formatVerifierKey('w.example/w1', w1.publicKey));
  });

  it('round-trips a vkey and refuses a 0x01 key, a wrong key id and a bad name', () => {
    const vkey = formatWitnessKey('w.example/w1', w1.publicKey);
    const parsed = parseWitnessKey(vkey);
    expect(parsed.name).toBe('w.example/w1');
    expect(Buffer.from(parsed.publicKey)).toEqual(Buffer.from(w1.publicKey));
    expect(() => parseWitnessKey(formatVerifierKey('w.example/w1', w1.publicKey))).toThrow(/0x04/);
    expect(() => parseWitnessKey(vkey.replace(/\+[0-9a-f]{8}\+/, '+00000000+'))).toThrow(/key id/);
    expect(() => parseWitnessKey(`bad name${vkey.slice(vkey.indexOf('+'))}`)).toThrow();
    expect(() => parseWitnessKey('nothing')).toThrow();
  });
});

describe('cosign and verify', () => {
  const key1 = parseWitnessKey(formatWitnessKey('w.example/w1', w1.publicKey));
  const key2 = parseWitnessKey(formatWitnessKey('w.example/w2', w2.publicKey));

  it('a cosignature verifies against its key only, over this note text only', () => {
    const line = cosign(text, key1.name, key1.publicKey, 1700000000, w1.sign);
    expect(line.startsWith(`${EM} w.example/w1 `)).toBe(true);
    expect(line.endsWith('\n')).toBe(true);
    const sig = parseSignatureLine(line.slice(0, -1))!;
    expect(verifyCosignature(text, sig, key1)).toBe(true);
    expect(verifyCosignature(text, sig, key2)).toBe(false);
    expect(verifyCosignature(text.replace('\n5\n', '\n6\n'), sig, key1)).toBe(false);
    expect(verifyCosignature(text, sig, key1, 1699999999)).toBe(false); // from the future
  });

  it('merged into the note, the log signature still opens and each witness is counted once', () => {
    const l1 = cosign(text, key1.name, key1.publicKey, 1700000000, w1.sign);
    const l1b = cosign(text, key1.name, key1.publicKey, 1700000005, w1.sign);
    const l2 = cosign(text, key2.name, key2.publicKey, 1700000001, w2.sign);
    const merged = mergeSignatures(note, [l1, l1b, l1, l2]);
    expect(merged.split('\n').filter((l) => l.startsWith(EM))).toHaveLength(4);
    expect(openNote(merged, formatVerifierKey('example.org', log.publicKey)).ok).toBe(true);
    expect(cosigners(merged, [key1, key2])).toEqual(['w.example/w1', 'w.example/w2']);
    expect(cosigners(note, [key1, key2])).toEqual([]);
  });

  it('a flipped byte in the signature or timestamp is refused', () => {
    const line = cosign(text, key1.name, key1.publicKey, 1700000000, w1.sign);
    const sig = parseSignatureLine(line.slice(0, -1))!;
    for (const at of [5, 11, 40]) {
      const blob = Uint8Array.from(sig.blob);
      blob[at] ^= 1;
      expect(verifyCosignature(text, { ...sig, blob }, key1)).toBe(false);
    }
  });

  it('a timestamp above 2^63 − 1 is not a cosignature', () => {
    const line = cosign(text, key1.name, key1.publicKey, 1700000000, w1.sign);
    const sig = parseSignatureLine(line.slice(0, -1))!;
    const blob = Uint8Array.from(sig.blob);
    blob[4] = 0x80;
    expect(readCosignature({ ...sig, blob })).toBeNull();
  });

  it('timestamps round-trip (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (t) => {
        const line = cosign(text, key1.name, key1.publicKey, t, () => new Uint8Array(64));
        return readCosignature(parseSignatureLine(line.slice(0, -1))!)!.timestamp === t;
      }),
      { numRuns: 200 },
    );
  });

  it('answer bodies: signature lines only, each newline-terminated', () => {
    const l1 = cosign(text, key1.name, key1.publicKey, 1, w1.sign);
    expect(parseSignatureLines(l1)).toHaveLength(1);
    expect(() => parseSignatureLines(l1.slice(0, -1))).toThrow();
    expect(() => parseSignatureLines(`junk\n`)).toThrow();
    expect(() => parseSignatureLines('')).toThrow();
  });
});
