// Her devices (SPEC §11): the keys that ever signed for her, adding a device, revoking a lost one,
// a new device waiting to be added, recovery with the words kept offline. See lib/keys.ts.
import { useEffect, useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { api } from '../lib/api';
import { forgetPendingDevice, kidOf, newDeviceKey, savePendingDevice, type DeviceKey } from '../lib/identity';
import { deviceKeyIn, deviceLink, KeyError, keysOf, parseDeviceCode, recoverySignerFrom } from '../lib/keys';
import { addDevice, pendingDeviceAdded, recoverWith, revokeKey } from '../lib/devices';
import { shortId } from '../lib/format';
import { useLoad, useSession, useT } from '../lib/state';
import { ActionForm, ActionStatus, CopyField, ErrorBox, Show, useAction } from '../components/ui';

/** Her keys: this device marked, revoked ones with their time, a revocation asked twice. */
export function DeviceKeys() {
  const t = useT();
  const { me } = useSession();
  const [view, reload] = useLoad(() => api.member(me!.id), [me!.id]);
  const [asking, setAsking] = useState<string | null>(null);
  const [run, status] = useAction();
  const mine = kidOf(me!);
  return (
    <section class="panel" aria-labelledby="keys-title">
      <h2 id="keys-title">{t('keys.title')}</h2>
      <Show loaded={view} retry={reload}>
        {(v) => (
          <>
            <ul class="cards" data-testid="keys">
              {keysOf(v).map((k) => (
                <li key={k.kid} class={k.revokedAt ? 'revoked' : ''}>
                  <code title={k.kid}>{shortId(k.kid, 12)}</code> {k.kid === mine && <strong class="badge">{t('keys.thisDevice')}</strong>}{' '}
                  {k.kid === v.id && <span class="badge">{t('keys.first')}</span>}
                  <br />
                  <span class="muted">
                    {k.addedAt && t('keys.addedAt', { at: when(k.addedAt) })}
                    {k.revokedAt && <> · <strong class="bad">{t('keys.revokedAt', { at: when(k.revokedAt) })}</strong></>}
                  </span>
                  {!k.revokedAt && k.kid !== mine && asking !== k.kid && (
                    <div>
                      <button type="button" class="danger" onClick={() => setAsking(k.kid)}>
                        {t('keys.revoke', { key: shortId(k.kid, 12) })}
                      </button>
                    </div>
                  )}
                  {asking === k.kid && (
                    <div role="group" aria-label={t('keys.confirmLabel')} class="confirm">
                      <p>{t('keys.confirm', { key: shortId(k.kid, 12) })}</p>
                      <button
                        type="button"
                        class="danger"
                        disabled={status.pending}
                        onClick={() =>
                          run(async () => {
                            await revokeKey(me!, k.kid);
                            setAsking(null);
                            reload();
                          }, t('keys.revoked'))
                        }
                      >
                        {t('keys.confirmYes')}
                      </button>{' '}
                      <button type="button" onClick={() => setAsking(null)}>
                        {t('keys.cancel')}
                      </button>
                    </div>
                  )}
                </li>
              ))}
            </ul>
            <p class="muted">{v.recovery ? t('keys.recoverySet') : t('keys.recoveryNone')}</p>
          </>
        )}
      </Show>
      <ActionStatus status={status} />
    </section>
  );
}

const when = (iso: string) => new Date(iso).toLocaleString();

/** Add another device: its link or code pasted here (or opened as /device/:key), signed on this one. */
export function AddDevice({ initial = '' }: { initial?: string }) {
  const t = useT();
  const { me } = useSession();
  const [code, setCode] = useState(initial);
  const jwk = parseDeviceCode(code);
  const add = async () => {
    if (!jwk) throw new KeyError('DEVICE_CODE_BAD');
    await addDevice(me!, jwk);
    setCode('');
  };
  return (
    <ActionForm action={add} done={t('keys.added')} submit={t('keys.addSubmit')} disabled={code.trim() === ''}>
      <h2>{t('keys.addTitle')}</h2>
      <p class="muted">{t('keys.addIntro')}</p>
      <label for="device-code">{t('keys.code')}</label>
      <input id="device-code" value={code} autoComplete="off" spellcheck={false} onInput={(e) => setCode(e.currentTarget.value)} />
    </ActionForm>
  );
}

/** /device/:key — the link a waiting device shows, opened on a device where she is known. */
export function DevicePage() {
  const { params } = useRoute();
  const t = useT();
  return (
    <section>
      <h1>{t('keys.pageTitle')}</h1>
      <AddDevice initial={params.key} />
      <p>
        <a href="/me">{t('nav.me')}</a>
      </p>
    </section>
  );
}

/** When this device's key was revoked (or is no key of hers), say so on every page. */
export function KeyBanner() {
  const t = useT();
  const { me } = useSession();
  const { path } = useLocation();
  const [view] = useLoad(() => api.member(me!.id), [me!.id, path]);
  if (view.state !== 'ready') return null;
  const key = deviceKeyIn(view.value, me!.publicJwk);
  if (key && !key.revokedAt) return null;
  return (
    <div class="error banner" role="alert" data-testid="key-banner">
      <p>{key ? t('keys.bannerRevoked', { at: when(key.revokedAt!) }) : t('keys.bannerUnknown')}</p>
      <p>{t('keys.bannerWhat')}</p>
    </div>
  );
}

/** A new device, not registered: start waiting to be added by another device of hers. */
export function StartDevice({ onStarted }: { onStarted: (key: DeviceKey) => void }) {
  const t = useT();
  const [run, status] = useAction();
  return (
    <section class="panel">
      <h2>{t('keys.otherTitle')}</h2>
      <p>{t('keys.otherIntro')}</p>
      <button
        type="button"
        disabled={status.pending}
        onClick={() =>
          run(async () => {
            const key = await newDeviceKey();
            await savePendingDevice(key);
            onStarted(key);
          })
        }
      >
        {t('keys.otherStart')}
      </button>
      <ActionStatus status={status} />
    </section>
  );
}

/** This device waits, showing its link and code, until another device of hers has added its key. */
export function PendingDevice({ pending, onCancel }: { pending: DeviceKey; onCancel: () => void }) {
  const t = useT();
  const { setMe } = useSession();
  const [error, setError] = useState<unknown>(null);
  const link = deviceLink(location.origin, pending.publicJwk);
  useEffect(() => {
    let live = true;
    const check = async () => {
      try {
        const me = await pendingDeviceAdded(pending);
        setError(null);
        if (me && live) setMe(me);
      } catch (e) {
        if (live) setError(e);
      }
    };
    void check();
    const timer = setInterval(() => void check(), 2000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [pending.publicJwk.x]);
  return (
    <section>
      <h1>{t('keys.waitTitle')}</h1>
      <p>{t('keys.waitIntro')}</p>
      <CopyField id="device-link" label={t('keys.link')} value={link} />
      <p>
        {t('keys.orCode')} <code data-testid="device-code">{pending.publicJwk.x}</code>
      </p>
      <p role="status" class="muted">
        {t('keys.waiting')}
      </p>
      {error !== null && <ErrorBox error={error} />}
      <button
        type="button"
        onClick={async () => {
          await forgetPendingDevice();
          onCancel();
        }}
      >
        {t('keys.cancel')}
      </button>
    </section>
  );
}

/** A new device with her recovery words or file: a key of its own, added by the recovery key. */
export function Recover() {
  const t = useT();
  const { setMe } = useSession();
  const [text, setText] = useState('');
  const [revokeOthers, setRevokeOthers] = useState(true);
  const recover = async () => {
    const recovery = recoverySignerFrom(text);
    if (!recovery) throw new KeyError('RECOVERY_WORDS_BAD');
    const { me } = await recoverWith(recovery, revokeOthers);
    setText('');
    setMe(me);
  };
  return (
    <ActionForm action={recover} submit={t('keys.recoverSubmit')} disabled={text.trim() === ''}>
      <h2>{t('keys.recoverTitle')}</h2>
      <p class="muted">{t('keys.recoverIntro')}</p>
      <label for="recovery-words">{t('keys.words')}</label>
      <textarea id="recovery-words" rows={3} autoComplete="off" spellcheck={false} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      <label for="recovery-file">{t('keys.file')}</label>
      <input id="recovery-file" type="file" accept=".json,.txt,application/json,text/plain" onChange={async (e) => setText(await (e.currentTarget.files?.[0]?.text() ?? Promise.resolve('')))} />
      <div class="field check">
        <input id="revoke-others" type="checkbox" checked={revokeOthers} onChange={(e) => setRevokeOthers(e.currentTarget.checked)} />
        <label for="revoke-others">{t('keys.revokeOthers')}</label>
      </div>
    </ActionForm>
  );
}
