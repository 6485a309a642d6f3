// SPEC §11 — keys over time. A member's id stays the thumbprint of the key she registered with;
// the keys that sign for her are recorded in the registry log, each valid from the entry that
// added it until the entry that revoked it. Pure: the writer, the replay and the offline verifier
// run these same functions.
import { memberIdOf, type Ed25519PublicJwk } from '../formats/keys';
import { isRecoverySignable, type PayloadOf, type StatementType } from '../formats/statement-types';
import { DomainError } from './domain-error';
import type { Decision, Effect } from './state';
import type { KeyRecord, KeyRole, KeyView } from './key-records';

export type { KeyRecord, KeyRole, KeyView } from './key-records';

/** Whether the key signs at an entry recorded at `recordedAt`: added at or before it, not revoked at or before it. */
export function isValidAt(record: KeyRecord, recordedAt: number): boolean {
  return record.addedAt <= recordedAt && (record.revokedAt === null || record.revokedAt > recordedAt);
}

/**
 * SPEC §11, validity in time: the member a statement of `type` signed by `kid` speaks for, in an
 * entry recorded at `recordedAt`. Throws UNKNOWN_KEY (no such key, or not active yet), KEY_REVOKED,
 * or RECOVERY_KEY_RESTRICTED (a recovery key signing anything but a key addition or revocation).
 */
export function signerOf(record: KeyRecord | undefined, kid: string, type: StatementType, recordedAt: number): string {
  if (record === undefined || record.addedAt > recordedAt) {
    throw new DomainError('UNKNOWN_KEY', `No key ${kid} is registered: register it (member.register) or add it with one of your keys (member.key.add)`, 'kid');
  }
  if (record.revokedAt !== null && record.revokedAt <= recordedAt) {
    throw new DomainError('KEY_REVOKED', `Key ${kid} was revoked: sign with one of your active keys`, 'kid');
  }
  if (record.role === 'recovery' && !isRecoverySignable(type)) {
    throw new DomainError('RECOVERY_KEY_RESTRICTED', `Key ${kid} is a recovery key: it signs only member.key.add and member.key.revoke; sign ${type} with an active key`, 'kid');
  }
  return record.member;
}

/** The active keys of a member at `at` (not revoked at or before it). */
export function activeKeysAt(keys: KeyView, member: string, at: number): KeyRecord[] {
  return keys.keysOf(member).filter((k) => k.role === 'active' && isValidAt(k, at));
}

/** Her recovery key in force at `at`, if any. */
export function recoveryAt(keys: KeyView, member: string, at: number): KeyRecord | undefined {
  return keys.keysOf(member).find((k) => k.role === 'recovery' && isValidAt(k, at));
}

/** A new key must be no key, recovery key or member id of anyone, and never a revoked one. */
function requireUnused(keys: KeyView, kid: string, field: string): void {
  const existing = keys.key(kid);
  if (existing === undefined) return;
  if (existing.revokedAt !== null && existing.role === 'active') {
    throw new DomainError('KEY_REVOKED', `Key ${kid} was revoked: a revoked key never becomes active again; generate a new key`, field);
  }
  throw new DomainError('KEY_IN_USE', `Key ${kid} is already a key of a member: generate a new key`, field);
}

function requireOwnMember(member: string, signer: string): void {
  if (member !== signer) {
    throw new DomainError('NOT_ALLOWED', 'body.member must be the member the signing key belongs to', 'body.member');
  }
}

const none: Decision = { effects: [], followUps: [] };

function added(kid: string, member: string, jwk: Ed25519PublicJwk, role: KeyRole, at: number): Effect {
  return { kind: 'key.added', key: { kid, member, jwk, role, addedAt: at, revokedAt: null } };
}

/**
 * SPEC §3.2, §11: a registration. Her key, and her recovery key if she gives one, must be no key of
 * anyone; the registration key becomes her first active key.
 */
export function decideRegister(p: PayloadOf<'member.register'>, kid: string, jwk: Ed25519PublicJwk, keys: KeyView, at: number): Decision {
  const existing = keys.key(kid);
  if (existing !== undefined) {
    if (existing.member === kid && existing.role === 'active') throw new DomainError('ALREADY_REGISTERED', 'This key is already registered', 'kid');
    throw new DomainError('KEY_IN_USE', `Key ${kid} is already a key of a member: register with a new key`, 'kid');
  }
  const effects: Effect[] = [{ kind: 'member.registered', member: { id: kid, name: p.body.name, jwk } }, added(kid, kid, jwk, 'active', at)];
  const recovery = p.body.recovery;
  if (recovery !== undefined) {
    const recoveryKid = memberIdOf(recovery);
    if (recoveryKid === kid) throw new DomainError('KEY_IN_USE', 'The recovery key must not be the key you register with', 'body.recovery');
    requireUnused(keys, recoveryKid, 'body.recovery');
    effects.push(added(recoveryKid, kid, recovery, 'recovery', at));
  }
  return { ...none, effects };
}

/** SPEC §11: `member.key.add`, signed by an active key of the member or her recovery key. */
export function decideKeyAdd(p: PayloadOf<'member.key.add'>, signer: string, keys: KeyView, at: number): Decision {
  requireOwnMember(p.body.member, signer);
  const kid = memberIdOf(p.body.jwk);
  requireUnused(keys, kid, 'body.jwk');
  return { ...none, effects: [added(kid, signer, p.body.jwk, 'active', at)] };
}

/**
 * SPEC §11: `member.key.revoke`. The key must be an active key of hers, not the one signing (a key
 * revoked at an entry signs nothing at that entry, itself included), and she must keep an active
 * key or a recovery key.
 */
export function decideKeyRevoke(p: PayloadOf<'member.key.revoke'>, signer: string, signingKid: string, keys: KeyView, at: number): Decision {
  requireOwnMember(p.body.member, signer);
  const target = keys.key(p.body.key);
  if (target === undefined || target.member !== signer || target.role !== 'active' || target.addedAt > at) {
    throw new DomainError('UNKNOWN_KEY', `Key ${p.body.key} is not one of your keys: GET /api/v1/members/${signer} lists them`, 'body.key');
  }
  if (target.revokedAt !== null) throw new DomainError('KEY_REVOKED', `Key ${p.body.key} is already revoked`, 'body.key');
  if (target.kid === signingKid) {
    throw new DomainError('NOT_ALLOWED', 'A key cannot revoke itself: sign the revocation with another of your keys or with your recovery key', 'body.key');
  }
  const left = activeKeysAt(keys, signer, at).filter((k) => k.kid !== target.kid);
  if (left.length === 0 && recoveryAt(keys, signer, at) === undefined) {
    throw new DomainError('LAST_KEY', 'This would leave you no active key and no recovery key: add a key (member.key.add) or a recovery key (member.recovery.set) first', 'body.key');
  }
  return { ...none, effects: [{ kind: 'key.revoked', kid: target.kid, member: signer, at }] };
}

/** SPEC §11: `member.recovery.set` replaces (or sets) her recovery key; the old one signs nothing after it. */
export function decideRecoverySet(p: PayloadOf<'member.recovery.set'>, signer: string, keys: KeyView, at: number): Decision {
  requireOwnMember(p.body.member, signer);
  const kid = memberIdOf(p.body.jwk);
  requireUnused(keys, kid, 'body.jwk');
  const effects: Effect[] = [];
  const previous = recoveryAt(keys, signer, at);
  if (previous !== undefined) effects.push({ kind: 'key.revoked', kid: previous.kid, member: signer, at });
  effects.push(added(kid, signer, p.body.jwk, 'recovery', at));
  return { ...none, effects };
}

/**
 * Keys by thumbprint and by member, kept current by the key effects: the state of the registry as
 * far as keys go (the replay's, the verifier's, a writer batch's).
 */
export class KeyBook implements KeyView {
  private readonly byKid = new Map<string, KeyRecord>();
  private readonly byMember = new Map<string, KeyRecord[]>();

  constructor(records: Iterable<KeyRecord> = []) {
    for (const r of records) this.put(r);
  }

  get size(): number {
    return this.byKid.size;
  }

  key(kid: string): KeyRecord | undefined {
    return this.byKid.get(kid);
  }

  keysOf(member: string): readonly KeyRecord[] {
    return this.byMember.get(member) ?? [];
  }

  records(): IterableIterator<KeyRecord> {
    return this.byKid.values();
  }

  /** Add or replace a record (a reload of a key from storage). */
  put(record: KeyRecord): void {
    const existing = this.byKid.get(record.kid);
    this.byKid.set(record.kid, record);
    const list = this.byMember.get(record.member) ?? [];
    if (existing) {
      const i = list.indexOf(existing);
      if (i >= 0) list[i] = record;
      else list.push(record);
    } else {
      list.push(record);
    }
    this.byMember.set(record.member, list);
  }

  /** Apply a key effect (any other effect is ignored). */
  apply(effect: Effect): void {
    if (effect.kind === 'key.added') this.put({ ...effect.key });
    else if (effect.kind === 'key.revoked') {
      const record = this.byKid.get(effect.kid);
      if (record && record.revokedAt === null) this.put({ ...record, revokedAt: effect.at });
    }
  }
}
