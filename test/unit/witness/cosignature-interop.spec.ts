// Written from the C2SP tlog-cosignature and signed-note texts alone, with @noble/curves and
// node:crypto, not from this project's code: it checks the cosignature lines the project makes.
import { createHash } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519';
import { cosign, formatWitnessKey } from '../../../src/core/formats/cosignature';

function verifyFromSpec(checkpointBody: string, vkey: string, line: string): { ok: boolean; timestamp: bigint } {
  // vkey: <name>+<hex key id>+<base64(0x04 || 32-byte Ed25519 key)>
  const [name, keyIdHex] = vkey.split('+', 2);
  const keyB64 = vkey.slice(name.length + keyIdHex.length + 2);
  const typed = Buffer.from(keyB64, 'base64');
  if (typed[0] !== 0x04 || typed.length !== 33) return { ok: false, timestamp: 0n };
  const publicKey = typed.subarray(1);
  const keyId = createHash('sha256').update(Buffer.concat([Buffer.from(`${name}\n`, 'utf8'), Buffer.from([0x04]), publicKey])).digest().subarray(0, 4);
  if (keyId.toString('hex') !== keyIdHex) return { ok: false, timestamp: 0n };
  // "— <key name> base64(32-bit key ID || signature)", signature = u64 big-endian timestamp || 64-byte Ed25519.
  const m = /^\u2014 (\S+) (\S+)\n$/.exec(line);
  if (!m || m[1] !== name) return { ok: false, timestamp: 0n };
  const blob = Buffer.from(m[2], 'base64');
  if (blob.length !== 4 + 8 + 64 || !blob.subarray(0, 4).equals(keyId)) return { ok: false, timestamp: 0n };
  const timestamp = blob.readBigUInt64BE(4);
  const message = Buffer.from(`cosignature/v1\ntime ${timestamp}\n${checkpointBody}`, 'utf8');
  return { ok: ed25519.verify(blob.subarray(12), message, publicKey), timestamp };
}

describe('cosignatures read by an implementation written from the C2SP text', () => {
  const seed = createHash('sha256').update('interop witness').digest();
  const publicKey = ed25519.getPublicKey(seed);
  const body = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';

  it('verifies a line made by the project, with the C2SP example checkpoint and timestamp', () => {
    const vkey = formatWitnessKey('witness.example.com/w1', publicKey);
    const line = cosign(body, 'witness.example.com/w1', publicKey, 1679315147, (msg) => ed25519.sign(msg, seed));
    expect(verifyFromSpec(body, vkey, line)).toEqual({ ok: true, timestamp: 1679315147n });
    expect(verifyFromSpec(body.replace('20852163', '20852164'), vkey, line).ok).toBe(false);
  });

  it('and the project makes the same bytes as a signer written from the text (Ed25519 is deterministic)', () => {
    const message = Buffer.from(`cosignature/v1\ntime 1679315147\n${body}`, 'utf8');
    const keyId = createHash('sha256').update(Buffer.concat([Buffer.from('w\n'), Buffer.from([4]), publicKey])).digest().subarray(0, 4);
    const ts = Buffer.alloc(8);
    ts.writeBigUInt64BE(1679315147n);
    const expected = `\u2014 w ${Buffer.concat([keyId, ts, ed25519.sign(message, seed)]).toString('base64')}\n`;
    expect(cosign(body, 'w', publicKey, 1679315147, (msg) => ed25519.sign(msg, seed))).toBe(expected);
  });
});
