import { createHash, createPrivateKey, createPublicKey, sign as cryptoSign } from 'node:crypto';
import vector from '../../fixtures/vectors/c2sp-signed-note.json';
import {
  formatCheckpoint,
  formatVerifierKey,
  noteKeyId,
  openNote,
  parseCheckpoint,
  parseVerifierKey,
  signNote,
} from '../../../src/core/formats/signed-note';
import { leafHash } from '../../../src/core/formats/merkle';

const EM = '\u2014';
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

// Deterministic Ed25519 keys: the PKCS#8 wrapping of a 32-byte seed derived from a label.
function newKey(label: string): { publicKey: Uint8Array; sign: (m: Uint8Array) => Uint8Array } {
  const seed = createHash('sha256').update(label).digest();
  const privateKey = createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const x = createPublicKey(privateKey).export({ format: 'jwk' }).x as string;
  return {
    publicKey: new Uint8Array(Buffer.from(x, 'base64url')),
    sign: (m) => new Uint8Array(cryptoSign(null, m, privateKey)),
  };
}

// Replaces the character at i by another one, so that exactly one character changes.
const mutateAt = (s: string, i: number) => s.slice(0, i) + (s[i] === 'x' ? 'y' : 'x') + s.slice(i + 1);

describe('C2SP signed-note vector', () => {
  it('parses and re-formats the verifier key', () => {
    const key = parseVerifierKey(vector.verifierKey);
    expect(key.name).toBe('example.com/foo');
    expect(hex(key.keyId)).toBe('530d903a');
    expect(key.publicKey).toHaveLength(32);
    expect(noteKeyId(key.name, key.publicKey)).toEqual(key.keyId);
    expect(formatVerifierKey(key.name, key.publicKey)).toBe(vector.verifierKey);
  });

  it('opens the note with its key', () => {
    expect(openNote(vector.note, vector.verifierKey)).toEqual({ ok: true, text: 'This is an example message.\n' });
  });

  it('refuses the note when any single character changes', () => {
    const accepted: number[] = [];
    for (let i = 0; i < vector.note.length; i++) {
      if (openNote(mutateAt(vector.note, i), vector.verifierKey).ok) accepted.push(i);
    }
    expect(accepted).toEqual([]);
  });

  it('refuses the note when any bit of the signed text changes', () => {
    const text = 'This is an example message.\n';
    const sigBlock = vector.note.slice(text.length);
    const accepted: string[] = [];
    for (let i = 0; i < text.length - 1; i++) {
      for (let bit = 0; bit < 7; bit++) {
        const ch = String.fromCharCode(text.charCodeAt(i) ^ (1 << bit));
        const changed = text.slice(0, i) + ch + text.slice(i + 1) + sigBlock;
        if (openNote(changed, vector.verifierKey).ok) accepted.push(`${i}:${bit}`);
      }
    }
    expect(accepted).toEqual([]);
  });
});

describe('signNote / openNote', () => {
  const log = newKey('log');
  const name = 'archipel.example/circles/abc';
  const vkey = formatVerifierKey(name, log.publicKey);
  const text = 'archipel.example/circles/abc\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n';

  it('signs the UTF-8 text and opens it again', () => {
    const note = signNote(text, name, log.publicKey, log.sign);
    expect(note.startsWith(`${text}\n${EM} ${name} `)).toBe(true);
    expect(note.endsWith('\n')).toBe(true);
    expect(openNote(note, vkey)).toEqual({ ok: true, text });
    const unicode = 'Ognuno sta solo sul cuor della terra\n\ned è subito sera — 😀\n';
    expect(openNote(signNote(unicode, name, log.publicKey, log.sign), vkey)).toEqual({ ok: true, text: unicode });
  });

  it('ignores signatures from other keys, before or after ours', () => {
    const witness = newKey('witness');
    const ours = signNote(text, name, log.publicKey, log.sign);
    const theirs = signNote(text, 'witness.example', witness.publicKey, witness.sign);
    const ourLine = ours.slice(text.length + 1);
    const theirLine = theirs.slice(text.length + 1);
    expect(openNote(`${text}\n${theirLine}${ourLine}`, vkey)).toEqual({ ok: true, text });
    expect(openNote(`${text}\n${ourLine}${theirLine}`, vkey)).toEqual({ ok: true, text });
    expect(openNote(theirs, vkey)).toEqual({ ok: false, reason: 'no signature from the verifier key' });
    expect(openNote(`${text}\n${theirLine}${ourLine}`, formatVerifierKey('witness.example', witness.publicKey)).ok).toBe(true);
  });

  it('ignores a line with our name but another key id, or our key id under another name', () => {
    const impostor = newKey('impostor');
    const sameName = signNote(text, name, impostor.publicKey, impostor.sign).slice(text.length + 1);
    const ours = signNote(text, name, log.publicKey, log.sign).slice(text.length + 1);
    expect(openNote(`${text}\n${sameName}`, vkey).ok).toBe(false);
    expect(openNote(`${text}\n${sameName}${ours}`, vkey)).toEqual({ ok: true, text });
    const renamed = ours.replace(name, 'other.example');
    expect(openNote(`${text}\n${renamed}`, vkey)).toEqual({ ok: false, reason: 'no signature from the verifier key' });
  });

  it('refuses a note with a bad signature from our key, even beside a good one', () => {
    const other = newKey('other');
    const ours = signNote(text, name, log.publicKey, log.sign).slice(text.length + 1);
    const forged = signNote(text, name, log.publicKey, other.sign).slice(text.length + 1);
    expect(openNote(`${text}\n${forged}`, vkey)).toEqual({ ok: false, reason: 'signature does not verify' });
    expect(openNote(`${text}\n${ours}${forged}`, vkey).ok).toBe(false);
    expect(openNote(`${text}\n${ours}${ours}`, vkey)).toEqual({ ok: false, reason: 'repeated signature from the verifier key' });
  });

  it('separates text and signatures at the last blank line', () => {
    const withBlank = 'a\n\nb\n';
    const note = signNote(withBlank, name, log.publicKey, log.sign);
    expect(openNote(note, vkey)).toEqual({ ok: true, text: withBlank });
  });

  it.each([
    ['no blank line', (n: string) => n.replace('\n\n', '\n')],
    ['no final newline', (n: string) => n.slice(0, -1)],
    ['an extra empty line after the signatures', (n: string) => `${n}\n`],
    ['a hyphen instead of an em dash', (n: string) => n.replace(EM, '-')],
    ['a tab in the text', (n: string) => n.replace('3', '\t3')],
    ['a carriage return', (n: string) => n.replace(/\n$/, '\r\n')],
    ['unpadded base64', (n: string) => n.replace(/=\n$/, '\n')],
    ['a garbage signature line after ours', (n: string) => `${n}${EM} x !!!\n`],
    ['a signature line with no signature', (n: string) => `${n}${EM} x\n`],
    ['a lone surrogate', (n: string) => n.replace('3', '\ud8003')],
  ])('refuses a note with %s', (_name, mutate) => {
    const note = signNote(text, name, log.publicKey, log.sign);
    expect(openNote(mutate(note), vkey).ok).toBe(false);
  });

  it('refuses to sign malformed text or with a misbehaving signer', () => {
    expect(() => signNote('no newline', name, log.publicKey, log.sign)).toThrow(/newline/);
    expect(() => signNote('', name, log.publicKey, log.sign)).toThrow(/newline/);
    expect(() => signNote('tab\there\n', name, log.publicKey, log.sign)).toThrow(/control/);
    expect(() => signNote(text, 'has space', log.publicKey, log.sign)).toThrow(/key name/);
    expect(() => signNote(text, 'has+plus', log.publicKey, log.sign)).toThrow(/key name/);
    expect(() => signNote(text, name, log.publicKey, () => new Uint8Array(63))).toThrow(/64/);
    expect(() => signNote(text, name, new Uint8Array(31), log.sign)).toThrow(/32 bytes/);
  });

  it('reports a malformed verifier key rather than accepting the note', () => {
    const note = signNote(text, name, log.publicKey, log.sign);
    expect(openNote(note, 'nonsense').ok).toBe(false);
  });
});

describe('parseVerifierKey', () => {
  // The C2SP example key: its base64 has no '+', so split('+') is safe here.
  const { publicKey } = parseVerifierKey(vector.verifierKey);
  const good = formatVerifierKey('example.org/log', publicKey);
  const [name, id, key] = good.split('+');
  const typed = Buffer.from(key, 'base64');

  it('round-trips a key whose base64 contains "+"', () => {
    const pub = new Uint8Array(32).fill(0xfb);
    const vkey = formatVerifierKey('example.org/log', pub);
    expect(vkey.split('+').length).toBeGreaterThan(3);
    expect(parseVerifierKey(vkey)).toEqual({ name: 'example.org/log', keyId: noteKeyId('example.org/log', pub), publicKey: pub });
  });

  it('accepts upper-case hex key ids, as the Go implementation does', () => {
    expect(parseVerifierKey(`${name}+${id.toUpperCase()}+${key}`).publicKey).toEqual(publicKey);
  });

  it.each([
    ['missing part', `${name}+${id}`],
    ['extra part', `${good}+x`],
    ['empty name', `+${id}+${key}`],
    ['name with a space', `a b+${id}+${key}`],
    ['name with a non-breaking space', `a\u00a0b+${id}+${key}`],
    ['short key id', `${name}+${id.slice(1)}+${key}`],
    ['non-hex key id', `${name}+zzzzzzzz+${key}`],
    ['wrong key id', `${name}+00000000+${key}`],
    ['another name for the same key', `example.org/other+${id}+${key}`],
    ['not an Ed25519 key', `${name}+${id}+${Buffer.concat([Buffer.from([2]), typed.subarray(1)]).toString('base64')}`],
    ['a 31-byte key', `${name}+${id}+${typed.subarray(0, 32).toString('base64')}`],
    ['padding where none is due', `${name}+${id}+${key}====`],
    ['base64 with a space', `${name}+${id}+ ${key.slice(1)}`],
  ])('throws on %s', (_name, vkey) => {
    expect(() => parseVerifierKey(vkey)).toThrow(Error);
  });
});

describe('checkpoints', () => {
  const rootHash = leafHash(new Uint8Array([1, 2, 3]));
  const b64 = Buffer.from(rootHash).toString('base64');

  it('formats origin, size and standard base64 root, one per line', () => {
    expect(formatCheckpoint('example.com/behind-the-sofa', 20852163, rootHash)).toBe(`example.com/behind-the-sofa\n20852163\n${b64}\n`);
    expect(formatCheckpoint('o', 0, rootHash)).toBe(`o\n0\n${b64}\n`);
  });

  it('parses what it formats', () => {
    const cp = parseCheckpoint(formatCheckpoint('archipel.example/circles/abc', 42, rootHash));
    expect(cp).toEqual({ origin: 'archipel.example/circles/abc', size: 42, root: rootHash });
  });

  it('parses the C2SP example and ignores extension lines', () => {
    const text = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
    expect(parseCheckpoint(text).size).toBe(20852163);
    expect(parseCheckpoint(`${text}ext one\next two\n`)).toEqual(parseCheckpoint(text));
  });

  it('round-trips through a signed note', () => {
    const log = newKey('cp');
    const origin = 'archipel.example/circles/AAAAAAAAAAAAAAAAAAAAAA';
    const note = signNote(formatCheckpoint(origin, 7, rootHash), origin, log.publicKey, log.sign);
    const opened = openNote(note, formatVerifierKey(origin, log.publicKey));
    expect(opened.ok).toBe(true);
    if (opened.ok) expect(parseCheckpoint(opened.text)).toEqual({ origin, size: 7, root: rootHash });
  });

  it.each([
    ['a missing final newline', `o\n1\n${b64}`],
    ['only two lines', `o\n1\n`],
    ['an empty origin', `\n1\n${b64}\n`],
    ['a leading zero', `o\n01\n${b64}\n`],
    ['a sign', `o\n+1\n${b64}\n`],
    ['a negative size', `o\n-1\n${b64}\n`],
    ['a space in the size', `o\n 1\n${b64}\n`],
    ['a hex size', `o\n0x1\n${b64}\n`],
    ['a size beyond 2^53', `o\n9007199254740993\n${b64}\n`],
    ['a 31-byte root', `o\n1\n${Buffer.alloc(31).toString('base64')}\n`],
    ['a 33-byte root', `o\n1\n${Buffer.alloc(33).toString('base64')}\n`],
    ['an unpadded root', `o\n1\n${b64.replace(/=$/, '')}\n`],
    ['a base64url root', `o\n1\n${Buffer.from(rootHash).toString('base64url')}=\n`],
    ['an empty extension line', `o\n1\n${b64}\n\n`],
  ])('refuses %s', (_name, text) => {
    expect(() => parseCheckpoint(text)).toThrow(Error);
  });

  it('refuses to format what it could not parse', () => {
    expect(() => formatCheckpoint('', 1, rootHash)).toThrow();
    expect(() => formatCheckpoint('a\nb', 1, rootHash)).toThrow();
    expect(() => formatCheckpoint('o', -1, rootHash)).toThrow(RangeError);
    expect(() => formatCheckpoint('o', 1.5, rootHash)).toThrow(RangeError);
    expect(() => formatCheckpoint('o', 1, new Uint8Array(31))).toThrow();
  });
});
