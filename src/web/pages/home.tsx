import { useState } from 'preact/hooks';
import { api } from '../lib/api';
import { act } from '../lib/identity';
import { useLoad, useSession, useT } from '../lib/state';
import { ActionForm, ActionStatus, MemberName, ShowList, useAction } from '../components/ui';
import { REGIMES, type RegimeName } from '../../core/formats/vocabulary';
import { useLocation } from 'preact-iso';

export function Home() {
  const t = useT();
  const { me } = useSession();
  const id = me!.id;
  const [circles, reloadCircles] = useLoad(() => api.memberCircles(id), [id]);
  const [invitations, reloadInvitations] = useLoad(() => api.invitations(id), [id]);
  const [run, status] = useAction();
  return (
    <section>
      <h1>{t('home.title')}</h1>
      <ShowList loaded={circles} retry={reloadCircles} empty={<p>{t('home.none')}</p>}>
        {(c) => (
          <li key={c.id}>
            <a href={`/circles/${c.id}`}>{c.name}</a> <span class="badge">{t(`regimes.${c.regime}`)}</span> <span class="muted">{t('home.entries', { count: c.size })}</span>
          </li>
        )}
      </ShowList>
      <h2>{t('home.invitations')}</h2>
      <ShowList loaded={invitations} retry={reloadInvitations} empty={<p class="muted">{t('home.noInvitations')}</p>}>
        {(i) => (
          <li key={i.circle}>
            <strong>{i.circleName}</strong> — {t('home.invitedBy', { who: '' })}
            <MemberName id={i.invitedBy} />{' '}
            <button
              type="button"
              onClick={() =>
                run(async () => {
                  await act(me!, 'member.accept', i.circle, {});
                  reloadCircles();
                  reloadInvitations();
                })
              }
            >
              {t('home.accept')} — {i.circleName}
            </button>
          </li>
        )}
      </ShowList>
      <ActionStatus status={status} />
      <CreateCircle />
    </section>
  );
}

export function CreateCircle({ parent }: { parent?: string }) {
  const t = useT();
  const { me } = useSession();
  const { route } = useLocation();
  const [name, setName] = useState('');
  const [regime, setRegime] = useState<RegimeName>('amendment');
  const idPrefix = parent ? 'sub' : 'new';
  const create = async () => {
    const res = await act(me!, 'circle.create', null, { name: name.trim(), regime, ...(parent ? { parent } : {}) });
    route(`/circles/${res.id}`);
  };
  return (
    <ActionForm action={create} submit={t('circle.create')} disabled={name.trim() === ''}>
      <h2>{parent ? t('circle.createSub') : t('home.create')}</h2>
      <label for={`${idPrefix}-name`}>{t('circle.name')}</label>
      <input id={`${idPrefix}-name`} required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      <label for={`${idPrefix}-regime`}>{t('circle.regime')}</label>
      <select id={`${idPrefix}-regime`} value={regime} onChange={(e) => setRegime(e.currentTarget.value as RegimeName)}>
        {REGIMES.map((r) => (
          <option key={r} value={r}>
            {t(`regimes.${r}`)}
          </option>
        ))}
      </select>
    </ActionForm>
  );
}
