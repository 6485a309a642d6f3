import { useState } from 'preact/hooks';
import { loadPendingDevice, register, type DeviceKey, type RecoveryKey, type Identity } from '../lib/identity';
import { useLoad, useSession, useT } from '../lib/state';
import { ActionStatus, Show, useAction } from '../components/ui';
import { PendingDevice, Recover, StartDevice } from './devices';

/** First visit on a device: a new identity, or this device added to hers, or recovery. */
export function Welcome() {
  const [stored, reload] = useLoad(loadPendingDevice, []);
  const [pending, setPending] = useState<DeviceKey | null | undefined>(undefined);
  return (
    <Show loaded={stored} retry={reload}>
      {(fromStore) => {
        const waiting = pending === undefined ? fromStore : pending;
        return waiting ? <PendingDevice pending={waiting} onCancel={() => setPending(null)} /> : <NewIdentity onDevice={setPending} />;
      }}
    </Show>
  );
}

function NewIdentity({ onDevice }: { onDevice: (key: DeviceKey) => void }) {
  const t = useT();
  const { setMe, language } = useSession();
  const [name, setName] = useState('');
  const [run, status] = useAction();
  const [done, setDone] = useState<{ me: Identity; recovery: RecoveryKey; recoveryRegistered: boolean } | null>(null);
  const supported = typeof crypto !== 'undefined' && !!crypto.subtle;
  if (done) return <RecoveryView {...done} onDone={() => setMe(done.me)} />;
  return (
    <section>
      <h1>{t('welcome.title')}</h1>
      <p>{t('welcome.intro')}</p>
      {!supported && <p role="alert">{t('welcome.unsupported')}</p>}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => setDone(await register(name.trim(), language)));
        }}
      >
        <label for="name">{t('welcome.name')}</label>
        <input id="name" name="name" required maxLength={200} autoComplete="nickname" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <button type="submit" disabled={status.pending || name.trim() === ''}>
          {t('welcome.submit')}
        </button>
      </form>
      <ActionStatus status={status} />
      {supported && (
        <>
          <StartDevice onStarted={onDevice} />
          <Recover />
        </>
      )}
    </section>
  );
}

function RecoveryView({ recovery, recoveryRegistered, onDone }: { me: Identity; recovery: RecoveryKey; recoveryRegistered: boolean; onDone: () => void }) {
  const t = useT();
  const href = URL.createObjectURL(new Blob([recovery.fileText], { type: 'application/json' }));
  return (
    <section>
      <h1>{t('recovery.title')}</h1>
      <p>{t('recovery.intro')}</p>
      {!recoveryRegistered && <p class="notice">{t('recovery.notRegistered')}</p>}
      <ol class="words" data-testid="recovery-words">
        {recovery.words.map((w) => (
          <li key={w}>{w}</li>
        ))}
      </ol>
      <p>
        <a href={href} download="archipel-recovery-key.json">
          {t('recovery.download')}
        </a>
      </p>
      <button type="button" data-testid="recovery-done" onClick={onDone}>
        {t('recovery.done')}
      </button>
    </section>
  );
}
