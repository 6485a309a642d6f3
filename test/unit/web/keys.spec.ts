import { entropyToMnemonic } from '@scure/bip39';
import { wordlist as english } from '@scure/bip39/wordlists/english';
import { wordlist as french } from '@scure/bip39/wordlists/french';
import { randomBytes } from '../../../src/core/crypto/crypto';
import { StatementSigner } from '../../../src/core/formats/statement-signer';
import { deviceKeyIn, deviceLink, keysOf, parseDeviceCode, recoverySignerFrom } from '../../../src/web/lib/keys';
import { positionsFromLog } from '../../../src/web/lib/cursor';

describe('web keys over time: device links and codes', () => {
  const device = StatementSigner.generate();

  it('reads back the key from its link or its bare code', () => {
    const link = deviceLink('https://archipel.example', device.publicJwk);
    expect(link).toBe(`https://archipel.example/device/${device.publicJwk.x}`);
    expect(parseDeviceCode(link)).toEqual(device.publicJwk);
    expect(parseDeviceCode(`  ${device.publicJwk.x}\n`)).toEqual(device.publicJwk);
  });

  it('refuses what is not a 32-byte key in canonical base64url', () => {
    expect(parseDeviceCode('')).toBeNull();
    expect(parseDeviceCode(device.publicJwk.x.slice(1))).toBeNull();
    expect(parseDeviceCode(`${device.publicJwk.x}A`)).toBeNull();
    expect(parseDeviceCode(`https://x/other/${device.publicJwk.x}x`)).toBeNull();
    // 43 characters whose last one carries bits a 32-byte value cannot have
    expect(parseDeviceCode(`${device.publicJwk.x.slice(0, 42)}_`)).toBeNull();
  });
});

describe('web keys over time: her keys and this device', () => {
  const first = StatementSigner.generate();
  const second = StatementSigner.generate();
  const view = {
    id: first.id,
    name: 'Alice',
    jwk: first.publicJwk,
    keys: [
      { kid: first.id, jwk: first.publicJwk, addedAt: '2026-12-05T10:00:00.000Z', revokedAt: '2026-12-05T11:00:00.000Z' },
      { kid: second.id, jwk: second.publicJwk, addedAt: '2026-12-05T10:30:00.000Z' },
    ],
  };

  it('finds this device among her keys, revoked or not', () => {
    expect(deviceKeyIn(view, second.publicJwk)?.revokedAt).toBeUndefined();
    expect(deviceKeyIn(view, first.publicJwk)?.revokedAt).toBe('2026-12-05T11:00:00.000Z');
    expect(deviceKeyIn(view, StatementSigner.generate().publicJwk)).toBeUndefined();
  });

  it('takes a service from before keys over time as listing the registration key only', () => {
    expect(keysOf({ id: first.id, name: 'Alice', jwk: first.publicJwk })).toEqual([{ kid: first.id, jwk: first.publicJwk, addedAt: '' }]);
  });
});

describe('web keys over time: the recovery key from what she kept', () => {
  const seed = randomBytes(32);
  const expected = StatementSigner.fromSeed(seed.slice()).id;

  it('takes her words in English or French, in any case and spacing', () => {
    const en = entropyToMnemonic(seed, english);
    const fr = entropyToMnemonic(seed, french);
    expect(recoverySignerFrom(en)?.id).toBe(expected);
    expect(recoverySignerFrom(`  ${en.toUpperCase().split(' ').join('\n  ')} `)?.id).toBe(expected);
    expect(recoverySignerFrom(fr)?.id).toBe(expected);
    // typed with composed accents (NFC), as a keyboard gives them
    expect(recoverySignerFrom(fr.normalize('NFC'))?.id).toBe(expected);
  });

  it('takes the file the page offers and the CLI recovery file', () => {
    const signer = StatementSigner.fromSeed(seed.slice());
    const webFile = JSON.stringify({ kind: 'archipel-recovery-key', member: 'm', jwk: signer.exportPrivateJwk(), words: entropyToMnemonic(seed, french) });
    expect(recoverySignerFrom(webFile)?.id).toBe(expected);
    expect(recoverySignerFrom(JSON.stringify({ words: entropyToMnemonic(seed, english) }))?.id).toBe(expected);
    const cliFile = `Archipel recovery words for Alice (m) on http://x\nKeep them offline.\n\n${entropyToMnemonic(seed, english)}\n`;
    expect(recoverySignerFrom(cliFile)?.id).toBe(expected);
  });

  it('refuses a typo (the checksum word), too few words, and other JSON', () => {
    const words = entropyToMnemonic(seed, english).split(' ');
    const typo = [...words.slice(0, 23), words[23] === 'abandon' ? 'ability' : 'abandon'].join(' ');
    expect(recoverySignerFrom(typo)).toBeNull();
    expect(recoverySignerFrom(words.slice(0, 12).join(' '))).toBeNull();
    expect(recoverySignerFrom('{"jwk":{"kty":"OKP","crv":"Ed25519","d":"short"}}')).toBeNull();
    expect(recoverySignerFrom('{not json')).toBeNull();
    expect(recoverySignerFrom('')).toBeNull();
  });
});

describe('web regime cursor: a position signed on another device', () => {
  it('counts for the member the key belongs to', () => {
    const [alice, aliceLaptop] = [StatementSigner.generate(), StatementSigner.generate()];
    const circle = 'QAAAAAAAAAAAAAAAAAAAAA';
    const log = [alice.sign('regime.position', circle, { position: 'split' }), aliceLaptop.sign('regime.position', circle, { position: 'amendment' })]
      .map((jws, seq) => JSON.stringify({ v: 1, circle, seq, prev: null, recordedAt: '2026-12-05T10:00:00.000Z', jws }))
      .join('\n');
    const owners = new Map([[aliceLaptop.id, alice.id]]);
    expect(positionsFromLog(log, (kid) => owners.get(kid) ?? kid)).toEqual(new Map([[alice.id, 'amendment']]));
  });
});
