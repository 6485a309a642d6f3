// SPEC §11 in `archipel verify`: the registry log is decided entry by entry against the keys over
// time, and every member statement of a circle log is checked against its key's validity at the
// entry's recordedAt. Logs a dishonest instance could serve are refused with a clear code.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT, runCli } from '../../../src/cli/archipel';
import { formatTimestamp } from '../../../src/core/formats/canonical-json';
import { derivedId } from '../../../src/core/formats/ids';
import { StatementSigner } from '../../../src/core/formats/statement-signer';
import type { BodyOf, StatementType } from '../../../src/core/formats/statement-types';
import { LogVerifier, REGISTRY } from '../../../src/core/verify/verify-log';
import { checkpointOf, INSTANCE_NAME, lineOf, makeInstance, nextId } from './log-builder';
import { prevOf } from '../../../src/core/formats/entry';

jest.setTimeout(60_000);

const T0 = Date.parse('2026-04-01T08:00:00.000Z');
const instance = makeInstance();
const ada = StatementSigner.generate();
const laptop = StatementSigner.generate();
const words = StatementSigner.generate();
const bea = StatementSigner.generate();

interface Item {
  jws: string;
  /** seconds after T0 (to the millisecond) */
  t: number;
}

const item = <T extends StatementType>(s: StatementSigner, type: T, circle: string | null, body: BodyOf<T>, t: number): Item => ({
  jws: s.sign(type, circle, body, { id: nextId(), at: formatTimestamp(T0 + Math.round(t * 1000)) }),
  t,
});

function chainAt(circle: string, items: Item[]): string[] {
  let prev: string | null = null;
  return items.map(({ jws, t }, seq) => {
    const { line, leaf } = lineOf({ v: 1, circle, seq, prev, recordedAt: formatTimestamp(T0 + Math.round(t * 1000)), jws });
    prev = prevOf(leaf);
    return line;
  });
}

// Registry: Ada (with a recovery key) at 0 s, Bea at 1 s; Ada adds her laptop at 20 s and revokes
// her first key from it at 30 s.
const registryItems = [
  item(ada, 'member.register', null, { name: 'Ada', recovery: words.publicJwk }, 0),
  item(bea, 'member.register', null, { name: 'Bea' }, 1),
  item(ada, 'member.key.add', null, { member: ada.id, jwk: laptop.publicJwk }, 20),
  item(laptop, 'member.key.revoke', null, { member: ada.id, key: ada.id }, 30),
];
const genesis = item(ada, 'circle.create', null, { name: 'Orchard', regime: 'do-ocracy' }, 10);
const circle = derivedId(genesis.jws);
const circleItems = [
  genesis,
  item(ada, 'member.invite', circle, { member: bea.id }, 11),
  item(bea, 'member.accept', circle, {}, 12),
  item(ada, 'regime.position', circle, { position: 'amendment' }, 29), // the old key, just before its revocation
  item(laptop, 'regime.position', circle, { position: 'split' }, 31), // the new key, for the same member
];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'archipel-keys-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function verify(registry: string[], log: string[], threads = 1): Promise<{ code: number; out: string; err: string }> {
  const file = (name: string, lines: string[]) => {
    const path = join(dir, name);
    writeFileSync(path, `${lines.join('\n')}\n`);
    return path;
  };
  const checkpoint = join(dir, 'checkpoint.txt');
  writeFileSync(checkpoint, checkpointOf(instance, `${INSTANCE_NAME}/circles/${circle}`, log));
  let out = '';
  let err = '';
  const code = await runCli(
    ['verify', '--log', file('circle.jsonl', log), '--registry', file('registry.jsonl', registry), '--checkpoint', checkpoint, '--key', instance.noteKey, '--threads', String(threads)],
    { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, workerFile: join(__dirname, 'ts-worker.js') },
  );
  return { code, out, err };
}

const registry = chainAt(REGISTRY, registryItems);
const goodCircle = chainAt(circle, circleItems.slice(0, 5));

describe('archipel verify, keys over time', () => {
  it('accepts a registry with key changes, and a log signed by the old key before its revocation and the new key after', async () => {
    const { code, out, err } = await verify(registry, goodCircle);
    expect(err).toBe('');
    expect(code).toBe(EXIT.OK);
    expect(out).toContain('OK registry: 4 entries');
    expect(out).toContain(`OK circle ${circle}: 5 entries`);
  });

  it('refuses a circle entry signed by a key after its revocation [KEY_REVOKED]', async () => {
    const late = [...circleItems.slice(0, 5), item(ada, 'regime.position', circle, { position: 'unanimity' }, 40)];
    const { code, err } = await verify(registry, chainAt(circle, late));
    expect(code).toBe(EXIT.FAILED);
    expect(err).toMatch(/^FAIL seq 5: .*revocation.*\[KEY_REVOKED\]/);
  });

  it('reaches the same verdicts on worker threads', async () => {
    expect((await verify(registry, goodCircle, 2)).code).toBe(EXIT.OK);
    const late = [...circleItems.slice(0, 5), item(ada, 'regime.position', circle, { position: 'unanimity' }, 40)];
    const { code, err } = await verify(registry, chainAt(circle, late), 2);
    expect(code).toBe(EXIT.FAILED);
    expect(err).toMatch(/^FAIL seq 5: .*\[KEY_REVOKED\]/);
  });

  it('refuses an entry recorded at the very millisecond of the revocation [KEY_REVOKED]', async () => {
    const same = [...circleItems.slice(0, 3), item(ada, 'regime.position', circle, { position: 'unanimity' }, 30)];
    const { code, err } = await verify(registry, chainAt(circle, same));
    expect(code).toBe(EXIT.FAILED);
    expect(err).toMatch(/^FAIL seq 3: .*\[KEY_REVOKED\]/);
  });

  it('refuses a circle entry signed by a key before the registry added it [UNKNOWN_KEY]', async () => {
    const early = [...circleItems.slice(0, 3), item(laptop, 'regime.position', circle, { position: 'split' }, 15)];
    const { code, err } = await verify(registry, chainAt(circle, early));
    expect(code).toBe(EXIT.FAILED);
    expect(err).toMatch(/^FAIL seq 3: .*\[UNKNOWN_KEY\]/);
  });

  it('refuses a circle entry signed by the recovery key [RECOVERY_KEY_RESTRICTED]', async () => {
    const recovery = [...circleItems.slice(0, 3), item(words, 'regime.position', circle, { position: 'split' }, 15)];
    const { code, err } = await verify(registry, chainAt(circle, recovery));
    expect(code).toBe(EXIT.FAILED);
    expect(err).toMatch(/^FAIL seq 3: .*\[RECOVERY_KEY_RESTRICTED\]/);
  });

  it('refuses a registry where a revoked key still signs afterwards [KEY_REVOKED]', async () => {
    const phone = StatementSigner.generate();
    const bad = chainAt(REGISTRY, [...registryItems, item(ada, 'member.key.add', null, { member: ada.id, jwk: phone.publicJwk }, 40)]);
    const { code, err } = await verify(bad, goodCircle);
    expect(code).toBe(EXIT.FAILED);
    expect(err).toMatch(/^FAIL seq 4: registry log: .*\[KEY_REVOKED\]/);
  });

  it('refuses a registry where a key is revoked at the millisecond of an entry it signed [KEY_REVOKED]', async () => {
    const phone = StatementSigner.generate();
    const bad = chainAt(REGISTRY, [
      ...registryItems.slice(0, 3),
      item(ada, 'member.key.add', null, { member: ada.id, jwk: phone.publicJwk }, 25),
      item(laptop, 'member.key.revoke', null, { member: ada.id, key: ada.id }, 25),
    ]);
    const { code, err } = await verify(bad, goodCircle.slice(0, 3));
    expect(code).toBe(EXIT.FAILED);
    expect(err).toMatch(new RegExp(`^FAIL seq 4: registry log: member.key.revoke revokes key ${ada.id} .*entry 3.*\\[KEY_REVOKED\\]`));
  });
});

describe('the registry log, entry by entry', () => {
  const failureOf = (items: Item[]): { seq: number; code: string; reason: string } | null => {
    const v = new LogVerifier({ circle: REGISTRY });
    try {
      for (const line of chainAt(REGISTRY, items)) v.push(line);
      v.finish();
      return null;
    } catch (e) {
      const f = e as { seq: number; code: string; reason: string };
      return { seq: f.seq, code: f.code, reason: f.reason };
    }
  };
  const push = (items: Item[]): { seq: number; code: string } | null => {
    const f = failureOf(items);
    return f && { seq: f.seq, code: f.code };
  };

  describe('a revocation recorded at the millisecond of an entry its key signed (SPEC §11, validity in time)', () => {
    // Ada (recovery key: her words) and Bea registered; Ada adds her laptop at 20 s.
    const before = registryItems.slice(0, 3);
    const phone = StatementSigner.generate();

    it('refuses it when the revoked key signed a registry entry at that millisecond [KEY_REVOKED]', () => {
      // Her first key adds her phone at 25 s, and the laptop revokes that first key at 25 s too:
      // by §11 the addition is then signed by a revoked key.
      const f = failureOf([
        ...before,
        item(ada, 'member.key.add', null, { member: ada.id, jwk: phone.publicJwk }, 25),
        item(laptop, 'member.key.revoke', null, { member: ada.id, key: ada.id }, 25),
      ]);
      expect(f).toMatchObject({ seq: 4, code: 'KEY_REVOKED' });
      expect(f?.reason).toContain(`revokes key ${ada.id}`);
      expect(f?.reason).toContain('entry 3');
    });

    it('refuses it when the recovery key it replaces signed a registry entry at that millisecond [KEY_REVOKED]', () => {
      // Her recovery words add her phone at 25 s, and the laptop replaces the recovery key at 25 s.
      const f = failureOf([
        ...before,
        item(words, 'member.key.add', null, { member: ada.id, jwk: phone.publicJwk }, 25),
        item(laptop, 'member.recovery.set', null, { member: ada.id, jwk: StatementSigner.generate().publicJwk }, 25),
      ]);
      expect(f).toMatchObject({ seq: 4, code: 'KEY_REVOKED' });
      expect(f?.reason).toContain(`revokes key ${words.id}`);
      expect(f?.reason).toContain('entry 3');
    });

    it('refuses it when the revoked key registered at that millisecond [KEY_REVOKED]', () => {
      const cat = StatementSigner.generate();
      const catWords = StatementSigner.generate();
      const f = failureOf([
        ...before,
        item(cat, 'member.register', null, { name: 'Cat', recovery: catWords.publicJwk }, 25),
        item(catWords, 'member.key.add', null, { member: cat.id, jwk: phone.publicJwk }, 25),
        item(catWords, 'member.key.revoke', null, { member: cat.id, key: cat.id }, 25),
      ]);
      expect(f).toMatchObject({ seq: 5, code: 'KEY_REVOKED' });
      expect(f?.reason).toContain(`revokes key ${cat.id}`);
      expect(f?.reason).toContain('entry 3');
    });

    it('accepts it one millisecond later, and a revocation at the millisecond of entries other keys signed', () => {
      expect(
        push([
          ...before,
          item(ada, 'member.key.add', null, { member: ada.id, jwk: phone.publicJwk }, 25),
          item(laptop, 'member.key.revoke', null, { member: ada.id, key: ada.id }, 25.001),
        ]),
      ).toBeNull();
      expect(
        push([
          ...before,
          item(words, 'member.key.add', null, { member: ada.id, jwk: phone.publicJwk }, 25),
          item(laptop, 'member.recovery.set', null, { member: ada.id, jwk: StatementSigner.generate().publicJwk }, 25.001),
        ]),
      ).toBeNull();
      // The laptop signs at 25 s and revokes her first key at 25 s: the first key signed nothing then.
      expect(
        push([
          ...before,
          item(laptop, 'member.key.add', null, { member: ada.id, jwk: phone.publicJwk }, 25),
          item(laptop, 'member.key.revoke', null, { member: ada.id, key: ada.id }, 25),
        ]),
      ).toBeNull();
    });
  });

  it('accepts key changes signed by an active key or the recovery key', () => {
    const phone = StatementSigner.generate();
    expect(push([...registryItems, item(words, 'member.key.add', null, { member: ada.id, jwk: phone.publicJwk }, 40), item(words, 'member.key.revoke', null, { member: ada.id, key: laptop.id }, 41)])).toBeNull();
    const v = new LogVerifier({ circle: REGISTRY });
    for (const line of chainAt(REGISTRY, registryItems)) v.push(line);
    const book = v.keyBook();
    expect(book.keysOf(ada.id).map((k) => [k.kid, k.role, k.revokedAt !== null])).toEqual([
      [ada.id, 'active', true],
      [words.id, 'recovery', false],
      [laptop.id, 'active', false],
    ]);
    expect(v.memberKeys().has(laptop.id)).toBe(true);
  });

  it('refuses the recovery key setting a recovery key [RECOVERY_KEY_RESTRICTED]', () => {
    expect(push([...registryItems, item(words, 'member.recovery.set', null, { member: ada.id, jwk: StatementSigner.generate().publicJwk }, 40)])).toEqual({
      seq: 4,
      code: 'RECOVERY_KEY_RESTRICTED',
    });
  });

  it('refuses a key added twice, or a member\'s key added by another [KEY_IN_USE]', () => {
    expect(push([...registryItems, item(laptop, 'member.key.add', null, { member: ada.id, jwk: bea.publicJwk }, 40)])).toEqual({ seq: 4, code: 'KEY_IN_USE' });
  });

  it('refuses a revoked key added again [KEY_REVOKED]', () => {
    expect(push([...registryItems, item(laptop, 'member.key.add', null, { member: ada.id, jwk: ada.publicJwk }, 40)])).toEqual({ seq: 4, code: 'KEY_REVOKED' });
  });

  it('refuses a key change for another member [KEY_CHANGE_REFUSED]', () => {
    expect(push([...registryItems, item(laptop, 'member.key.add', null, { member: bea.id, jwk: StatementSigner.generate().publicJwk }, 40)])).toEqual({
      seq: 4,
      code: 'KEY_CHANGE_REFUSED',
    });
  });

  it('refuses a key change signed by an unknown key, or a forged signature', () => {
    const stranger = StatementSigner.generate();
    expect(push([...registryItems, item(stranger, 'member.key.add', null, { member: ada.id, jwk: StatementSigner.generate().publicJwk }, 40)])).toEqual({
      seq: 4,
      code: 'UNKNOWN_KEY',
    });
    const forged = item(laptop, 'member.key.add', null, { member: ada.id, jwk: StatementSigner.generate().publicJwk }, 40);
    const [h, p] = forged.jws.split('.');
    const other = item(laptop, 'member.key.add', null, { member: ada.id, jwk: StatementSigner.generate().publicJwk }, 40).jws.split('.')[2];
    expect(push([...registryItems, { jws: `${h}.${p}.${other}`, t: 40 }])).toEqual({ seq: 4, code: 'BAD_SIGNATURE' });
  });

  it('refuses a registration with a key already in use [KEY_IN_USE], and the same member twice [DUPLICATE_REGISTRATION]', () => {
    expect(push([...registryItems, item(laptop, 'member.register', null, { name: 'L' }, 40)])).toEqual({ seq: 4, code: 'KEY_IN_USE' });
    expect(push([...registryItems, item(bea, 'member.register', null, { name: 'B' }, 40)])).toEqual({ seq: 4, code: 'DUPLICATE_REGISTRATION' });
  });
});
