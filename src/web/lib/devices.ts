// Keys over time in the page (SPEC §11), the flows. A second device generates its own
// non-extractable key and shows its public key as a link or a code; a device where she is known
// signs `member.key.add` for it; the new device then finds its key registered and takes her
// identity. A lost device's key is revoked with `member.key.revoke`. On a new device, the recovery
// words (or file) shown at registration sign `member.key.add` for a fresh key there — the recovery
// key signs nothing but key additions and revocations, and the page forgets it once used.
import { memberIdOf, type Ed25519PublicJwk } from '../../core/formats/keys';
import type { StatementSigner } from '../../core/formats/statement-signer';
import { api, ApiError } from './api';
import { act, forgetPendingDevice, newDeviceKey, saveIdentity, type DeviceKey, type Identity } from './identity';
import { KeyError, keysOf } from './keys';

/** Sign `member.key.add` on this device for another device's key. */
export function addDevice(me: Identity, jwk: Ed25519PublicJwk) {
  return act(me, 'member.key.add', null, { member: me.id, jwk });
}

/** Sign `member.key.revoke` on this device: the key signs nothing from then on. */
export function revokeKey(me: Identity, kid: string) {
  return act(me, 'member.key.revoke', null, { member: me.id, key: kid });
}

/** Whether another device has added this waiting one: then its identity, kept; null while not yet. */
export async function pendingDeviceAdded(key: DeviceKey): Promise<Identity | null> {
  let member: string;
  try {
    member = (await api.key(memberIdOf(key.publicJwk))).member;
  } catch (e) {
    if (e instanceof ApiError && e.code === 'UNKNOWN_KEY') return null;
    throw e;
  }
  const view = await api.member(member);
  const me: Identity = { id: member, name: view.name, ...key };
  await saveIdentity(me);
  await forgetPendingDevice();
  return me;
}

/**
 * On a new device: the recovery key adds a fresh non-extractable key of this device, which then
 * holds her identity; her other active keys are revoked when she asks (a lost or stolen device).
 */
export async function recoverWith(recovery: StatementSigner, revokeOthers: boolean): Promise<{ me: Identity; revoked: string[] }> {
  let member: string;
  try {
    member = (await api.key(recovery.id)).member;
  } catch (e) {
    if (e instanceof ApiError && e.code === 'UNKNOWN_KEY') throw new KeyError('RECOVERY_UNKNOWN');
    throw e;
  }
  const view = await api.member(member);
  // A device key, or a recovery key she has since replaced, is not her recovery key.
  if (view.recovery?.x !== recovery.publicJwk.x) throw new KeyError('RECOVERY_UNKNOWN');
  const key = await newDeviceKey();
  await api.submit(recovery.sign('member.key.add', null, { member, jwk: key.publicJwk }));
  // Kept at once: whatever happens next, this device signs for her.
  const me: Identity = { id: member, name: view.name, ...key };
  await saveIdentity(me);
  const revoked: string[] = [];
  if (revokeOthers) {
    for (const k of keysOf(view)) {
      if (k.revokedAt !== undefined) continue;
      await api.submit(recovery.sign('member.key.revoke', null, { member, key: k.kid }));
      revoked.push(k.kid);
    }
  }
  return { me, revoked };
}
