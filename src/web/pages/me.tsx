import { useRoute } from 'preact-iso';
import { api } from '../lib/api';
import { act, forgetIdentity } from '../lib/identity';
import { invitationLink } from '../lib/forms';
import { useLoad, useSession, useT } from '../lib/state';
import { ActionStatus, CopyField, ShowList, useAction } from '../components/ui';
import { AddDevice, DeviceKeys } from './devices';

export function MePage() {
  const t = useT();
  const { me, setMe } = useSession();
  const link = invitationLink(location.origin, me!.id);
  return (
    <section>
      <h1>{t('me.title')}</h1>
      <dl>
        <dt>{t('me.name')}</dt>
        <dd>{me!.name}</dd>
        <dt>{t('me.id')}</dt>
        <dd>
          <code data-testid="my-id">{me!.id}</code>
        </dd>
      </dl>
      <CopyField id="link" label={t('me.link')} value={link} />
      <p class="muted">{t('me.key')}</p>
      <DeviceKeys />
      <AddDevice />
      <button
        type="button"
        class="danger"
        onClick={async () => {
          await forgetIdentity();
          setMe(null);
        }}
      >
        {t('me.forget')}
      </button>
    </section>
  );
}

/** /join/:member — the page an invitation link opens: invite her into one of my circles. */
export function JoinPage() {
  const { params } = useRoute();
  const t = useT();
  const { me } = useSession();
  const [member] = useLoad(() => api.member(params.member), [params.member]);
  const [circles, reload] = useLoad(() => api.memberCircles(me!.id), [me!.id]);
  const [run, status] = useAction();
  return (
    <section>
      <h1>{t('join.title', { name: member.state === 'ready' ? member.value.name : '…' })}</h1>
      <ShowList loaded={circles} retry={reload} empty={<p>{t('join.none')}</p>}>
        {(c) => (
          <li key={c.id}>
            {c.name}{' '}
            <button type="button" onClick={() => run(() => act(me!, 'member.invite', c.id, { member: params.member }), t('circle.invited'))}>
              {t('circle.inviteSubmit')} — {c.name}
            </button>
          </li>
        )}
      </ShowList>
      <ActionStatus status={status} />
    </section>
  );
}
