// SPEC §11, the pure rules: validity in time, the signer of a key, and every refusal of the three
// key statements and of a registration with a recovery key.
import fc from 'fast-check';
import { memberIdOf } from '../../../src/core/formats/keys';
import { StatementSigner } from '../../../src/core/formats/statement-signer';
import type { PayloadOf, StatementType } from '../../../src/core/formats/statement-types';
import { DomainError } from '../../../src/core/rules/domain-error';
import {
  activeKeysAt,
  decideKeyAdd,
  decideKeyRevoke,
  decideRecoverySet,
  decideRegister,
  isValidAt,
  KeyBook,
  KeyRecord,
  recoveryAt,
  signerOf,
} from '../../../src/core/rules/key-rules';
import type { Decision } from '../../../src/core/rules/state';

const ada = StatementSigner.generate();
const laptop = StatementSigner.generate();
const phone = StatementSigner.generate();
const words = StatementSigner.generate();
const bea = StatementSigner.generate();

const payload = <T extends StatementType>(type: T, body: PayloadOf<T>['body']): PayloadOf<T> =>
  ({ v: 1, type, id: '01JNKQ8Z3W5X7Y9A0B1C2D3E4F', circle: null, at: '2026-03-01T12:00:00.000Z', body }) as PayloadOf<T>;

const record = (s: StatementSigner, member: string, addedAt: number, extra: Partial<KeyRecord> = {}): KeyRecord => ({
  kid: s.id,
  member,
  jwk: s.publicJwk,
  role: 'active',
  addedAt,
  revokedAt: null,
  ...extra,
});

/** A book after: Ada registered at 0 with a recovery key, Bea registered at 5. */
function book(): KeyBook {
  const b = new KeyBook();
  apply(b, decideRegister(payload('member.register', { name: 'Ada', recovery: words.publicJwk }), ada.id, ada.publicJwk, b, 0));
  apply(b, decideRegister(payload('member.register', { name: 'Bea' }), bea.id, bea.publicJwk, b, 5));
  return b;
}

function apply(b: KeyBook, d: Decision): void {
  for (const e of d.effects) b.apply(e);
}

function refused(f: () => unknown): { code: string; field?: string } {
  try {
    f();
  } catch (e) {
    if (e instanceof DomainError) return { code: e.code, field: e.field };
    throw e;
  }
  throw new Error('not refused');
}

describe('isValidAt', () => {
  it('is valid from the entry that added it, inclusive', () => {
    expect(isValidAt(record(ada, ada.id, 10), 9)).toBe(false);
    expect(isValidAt(record(ada, ada.id, 10), 10)).toBe(true);
    expect(isValidAt(record(ada, ada.id, 10), 11)).toBe(true);
  });

  it('signs nothing at or after the entry that revoked it', () => {
    const r = record(ada, ada.id, 10, { revokedAt: 20 });
    expect(isValidAt(r, 19)).toBe(true);
    expect(isValidAt(r, 20)).toBe(false);
    expect(isValidAt(r, 21)).toBe(false);
  });

  it('is exactly the half-open interval [addedAt, revokedAt)', () => {
    fc.assert(
      fc.property(fc.nat(1e6), fc.option(fc.nat(1e6), { nil: null }), fc.nat(2e6), (added, gap, at) => {
        const revokedAt = gap === null ? null : added + gap;
        const valid = isValidAt(record(ada, ada.id, added, { revokedAt }), at);
        expect(valid).toBe(at >= added && (revokedAt === null || at < revokedAt));
      }),
    );
  });
});

describe('signerOf', () => {
  const b = book();

  it('names the member the key belongs to', () => {
    expect(signerOf(b.key(ada.id), ada.id, 'vote.cast', 1)).toBe(ada.id);
    expect(signerOf(b.key(words.id), words.id, 'member.key.add', 1)).toBe(ada.id);
  });

  it('refuses an unknown key, and a key before the entry that added it', () => {
    expect(refused(() => signerOf(undefined, laptop.id, 'vote.cast', 1))).toEqual({ code: 'UNKNOWN_KEY', field: 'kid' });
    expect(refused(() => signerOf(b.key(bea.id), bea.id, 'vote.cast', 4))).toEqual({ code: 'UNKNOWN_KEY', field: 'kid' });
  });

  it('refuses a revoked key at and after its revocation, not before', () => {
    const r = record(laptop, ada.id, 10, { revokedAt: 20 });
    expect(signerOf(r, laptop.id, 'vote.cast', 19)).toBe(ada.id);
    expect(refused(() => signerOf(r, laptop.id, 'vote.cast', 20))).toEqual({ code: 'KEY_REVOKED', field: 'kid' });
    expect(refused(() => signerOf(r, laptop.id, 'member.key.add', 25))).toEqual({ code: 'KEY_REVOKED', field: 'kid' });
  });

  it.each(['vote.cast', 'delegation.set', 'member.invite', 'circle.create', 'member.recovery.set', 'regime.position', 'proposal.open'] as const)(
    'refuses the recovery key signing %s',
    (type) => {
      expect(refused(() => signerOf(b.key(words.id), words.id, type, 1))).toEqual({ code: 'RECOVERY_KEY_RESTRICTED', field: 'kid' });
    },
  );

  it.each(['member.key.add', 'member.key.revoke'] as const)('lets the recovery key sign %s', (type) => {
    expect(signerOf(b.key(words.id), words.id, type, 1)).toBe(ada.id);
  });
});

describe('decideRegister', () => {
  it('makes the registration key her first active key, and her recovery key', () => {
    const b = book();
    expect(b.keysOf(ada.id).map((k) => [k.kid, k.role, k.addedAt])).toEqual([
      [ada.id, 'active', 0],
      [words.id, 'recovery', 0],
    ]);
    expect(activeKeysAt(b, ada.id, 1).map((k) => k.kid)).toEqual([ada.id]);
    expect(recoveryAt(b, ada.id, 1)?.kid).toBe(words.id);
  });

  it('refuses the same member twice as ALREADY_REGISTERED', () => {
    expect(refused(() => decideRegister(payload('member.register', { name: 'Ada' }), ada.id, ada.publicJwk, book(), 9))).toEqual({
      code: 'ALREADY_REGISTERED',
      field: 'kid',
    });
  });

  it("refuses registering with someone's recovery key or added key", () => {
    expect(refused(() => decideRegister(payload('member.register', { name: 'W' }), words.id, words.publicJwk, book(), 9))).toMatchObject({ code: 'KEY_IN_USE' });
    const b = book();
    apply(b, decideKeyAdd(payload('member.key.add', { member: ada.id, jwk: laptop.publicJwk }), ada.id, b, 10));
    expect(refused(() => decideRegister(payload('member.register', { name: 'L' }), laptop.id, laptop.publicJwk, b, 11))).toMatchObject({ code: 'KEY_IN_USE' });
  });

  it('refuses a recovery key that is the registration key, or anyone\'s key', () => {
    expect(refused(() => decideRegister(payload('member.register', { name: 'P', recovery: phone.publicJwk }), phone.id, phone.publicJwk, book(), 9))).toEqual({
      code: 'KEY_IN_USE',
      field: 'body.recovery',
    });
    expect(refused(() => decideRegister(payload('member.register', { name: 'P', recovery: bea.publicJwk }), phone.id, phone.publicJwk, book(), 9))).toEqual({
      code: 'KEY_IN_USE',
      field: 'body.recovery',
    });
    expect(refused(() => decideRegister(payload('member.register', { name: 'P', recovery: words.publicJwk }), phone.id, phone.publicJwk, book(), 9))).toEqual({
      code: 'KEY_IN_USE',
      field: 'body.recovery',
    });
  });
});

describe('decideKeyAdd', () => {
  it('adds an active key from the entry on', () => {
    const b = book();
    const d = decideKeyAdd(payload('member.key.add', { member: ada.id, jwk: laptop.publicJwk }), ada.id, b, 10);
    expect(d.effects).toEqual([{ kind: 'key.added', key: { kid: laptop.id, member: ada.id, jwk: laptop.publicJwk, role: 'active', addedAt: 10, revokedAt: null } }]);
    apply(b, d);
    expect(activeKeysAt(b, ada.id, 9).map((k) => k.kid)).toEqual([ada.id]);
    expect(activeKeysAt(b, ada.id, 10).map((k) => k.kid)).toEqual([ada.id, laptop.id]);
  });

  it("refuses a key for another member than the signer's", () => {
    expect(refused(() => decideKeyAdd(payload('member.key.add', { member: bea.id, jwk: laptop.publicJwk }), ada.id, book(), 10))).toEqual({
      code: 'NOT_ALLOWED',
      field: 'body.member',
    });
  });

  it.each([
    ['a member id', () => bea],
    ['her own registration key', () => ada],
    ['a recovery key', () => words],
  ])('refuses %s as KEY_IN_USE', (_what, key) => {
    expect(refused(() => decideKeyAdd(payload('member.key.add', { member: ada.id, jwk: key().publicJwk }), ada.id, book(), 10))).toEqual({
      code: 'KEY_IN_USE',
      field: 'body.jwk',
    });
  });

  it('never makes a revoked key active again', () => {
    const b = book();
    apply(b, decideKeyAdd(payload('member.key.add', { member: ada.id, jwk: laptop.publicJwk }), ada.id, b, 10));
    apply(b, decideKeyRevoke(payload('member.key.revoke', { member: ada.id, key: laptop.id }), ada.id, ada.id, b, 20));
    expect(refused(() => decideKeyAdd(payload('member.key.add', { member: ada.id, jwk: laptop.publicJwk }), ada.id, b, 30))).toEqual({
      code: 'KEY_REVOKED',
      field: 'body.jwk',
    });
  });
});

describe('decideKeyRevoke', () => {
  const withLaptop = (): KeyBook => {
    const b = book();
    apply(b, decideKeyAdd(payload('member.key.add', { member: ada.id, jwk: laptop.publicJwk }), ada.id, b, 10));
    return b;
  };

  it('revokes a key of hers from the entry on', () => {
    const b = withLaptop();
    const d = decideKeyRevoke(payload('member.key.revoke', { member: ada.id, key: ada.id }), ada.id, laptop.id, b, 20);
    expect(d.effects).toEqual([{ kind: 'key.revoked', kid: ada.id, member: ada.id, at: 20 }]);
    apply(b, d);
    expect(b.key(ada.id)?.revokedAt).toBe(20);
    expect(activeKeysAt(b, ada.id, 19).map((k) => k.kid)).toEqual([ada.id, laptop.id]);
    expect(activeKeysAt(b, ada.id, 20).map((k) => k.kid)).toEqual([laptop.id]);
  });

  it('lets the recovery key revoke her last active key (the recovery key remains)', () => {
    const b = book();
    apply(b, decideKeyRevoke(payload('member.key.revoke', { member: ada.id, key: ada.id }), ada.id, words.id, b, 20));
    expect(activeKeysAt(b, ada.id, 20)).toEqual([]);
    expect(recoveryAt(b, ada.id, 20)?.kid).toBe(words.id);
  });

  it('refuses a key revoking itself', () => {
    expect(refused(() => decideKeyRevoke(payload('member.key.revoke', { member: ada.id, key: laptop.id }), ada.id, laptop.id, withLaptop(), 20))).toEqual({
      code: 'NOT_ALLOWED',
      field: 'body.key',
    });
  });

  it('refuses to leave her no active key and no recovery key', () => {
    const b = new KeyBook([record(bea, bea.id, 0), record(phone, bea.id, 1, { role: 'recovery', revokedAt: 2 })]);
    expect(refused(() => decideKeyRevoke(payload('member.key.revoke', { member: bea.id, key: bea.id }), bea.id, 'someone-else', b, 10))).toEqual({
      code: 'LAST_KEY',
      field: 'body.key',
    });
  });

  it("refuses another member's key, a recovery key, an unknown key and a key not added yet as UNKNOWN_KEY", () => {
    const b = withLaptop();
    for (const [key, at] of [
      [bea.id, 20],
      [words.id, 20],
      [phone.id, 20],
      [laptop.id, 9],
    ] as const) {
      expect(refused(() => decideKeyRevoke(payload('member.key.revoke', { member: ada.id, key }), ada.id, ada.id, b, at))).toEqual({ code: 'UNKNOWN_KEY', field: 'body.key' });
    }
  });

  it('refuses a key already revoked', () => {
    const b = withLaptop();
    apply(b, decideKeyRevoke(payload('member.key.revoke', { member: ada.id, key: laptop.id }), ada.id, ada.id, b, 20));
    expect(refused(() => decideKeyRevoke(payload('member.key.revoke', { member: ada.id, key: laptop.id }), ada.id, words.id, b, 30))).toEqual({
      code: 'KEY_REVOKED',
      field: 'body.key',
    });
  });

  it("refuses a revocation for another member than the signer's", () => {
    expect(refused(() => decideKeyRevoke(payload('member.key.revoke', { member: bea.id, key: bea.id }), ada.id, ada.id, book(), 20))).toEqual({
      code: 'NOT_ALLOWED',
      field: 'body.member',
    });
  });
});

describe('decideRecoverySet', () => {
  it('replaces her recovery key: the old one is revoked at the same entry', () => {
    const b = book();
    const d = decideRecoverySet(payload('member.recovery.set', { member: ada.id, jwk: phone.publicJwk }), ada.id, b, 30);
    expect(d.effects.map((e) => e.kind)).toEqual(['key.revoked', 'key.added']);
    apply(b, d);
    expect(recoveryAt(b, ada.id, 29)?.kid).toBe(words.id);
    expect(recoveryAt(b, ada.id, 30)?.kid).toBe(phone.id);
    expect(refused(() => signerOf(b.key(words.id), words.id, 'member.key.add', 30))).toMatchObject({ code: 'KEY_REVOKED' });
  });

  it('sets a first recovery key', () => {
    const b = book();
    apply(b, decideRecoverySet(payload('member.recovery.set', { member: bea.id, jwk: phone.publicJwk }), bea.id, b, 30));
    expect(recoveryAt(b, bea.id, 30)?.kid).toBe(phone.id);
    expect(b.keysOf(bea.id).map((k) => k.role)).toEqual(['active', 'recovery']);
  });

  it('refuses a key already used, and a member other than the signer', () => {
    expect(refused(() => decideRecoverySet(payload('member.recovery.set', { member: ada.id, jwk: bea.publicJwk }), ada.id, book(), 30))).toMatchObject({ code: 'KEY_IN_USE' });
    expect(refused(() => decideRecoverySet(payload('member.recovery.set', { member: ada.id, jwk: words.publicJwk }), ada.id, book(), 30))).toMatchObject({ code: 'KEY_IN_USE' });
    expect(refused(() => decideRecoverySet(payload('member.recovery.set', { member: bea.id, jwk: phone.publicJwk }), ada.id, book(), 30))).toMatchObject({ code: 'NOT_ALLOWED' });
  });
});

describe('KeyBook', () => {
  it('keeps the order keys were added, and ignores other effects', () => {
    const b = book();
    b.apply({ kind: 'member.joined', circle: 'c', member: ada.id });
    apply(b, decideKeyAdd(payload('member.key.add', { member: ada.id, jwk: laptop.publicJwk }), ada.id, b, 10));
    expect(b.keysOf(ada.id).map((k) => k.kid)).toEqual([ada.id, words.id, laptop.id]);
    expect(b.size).toBe(4);
    expect(memberIdOf(laptop.publicJwk)).toBe(laptop.id);
  });

  it('revokes once: a later revocation does not move the time', () => {
    const b = book();
    b.apply({ kind: 'key.revoked', kid: ada.id, member: ada.id, at: 10 });
    b.apply({ kind: 'key.revoked', kid: ada.id, member: ada.id, at: 20 });
    expect(b.key(ada.id)?.revokedAt).toBe(10);
  });
});
