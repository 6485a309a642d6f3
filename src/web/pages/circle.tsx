import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, type Circle, type Proposal } from '../lib/api';
import { act } from '../lib/identity';
import { type Loaded, useLive, useLoad, useNow, useSession, useT, useThrottled } from '../lib/state';
import { appendPage, loadPages, PAGE_SIZE, PROPOSAL_FILTERS, statusOf, type Page, type ProposalFilter } from '../lib/paging';
import { ActionForm, type ActionState, ActionStatus, MemberName, MemberOptions, RadioChoice, Show, useAction } from '../components/ui';
import { CreateCircle } from './home';
import { countdown, formatCountdown, proposalHref, shortId } from '../lib/format';
import { delegationScope, kindsFor, proposalBody, type ProposalForm, type ScopeChoice } from '../lib/forms';
import { PARAM_NAMES, REGIMES, type RegimeName } from '../../core/formats/vocabulary';
import { useLocation, useRoute } from 'preact-iso';
import { DelegationGraph } from '../components/delegation-graph';
import { loadCursor } from '../lib/cursor';
import { isRemote, RemoteCircle } from '../components/remote-circle';
import { WitnessStatus } from '../components/witnesses';

/** A large circle lists its first members only (each name is one request). */
const MEMBERS_SHOWN = 100;

export function CirclePage() {
  const { params } = useRoute();
  const id = params.id;
  const t = useT();
  const { me } = useSession();
  const [circle, reload] = useLoad(() => api.circle(id), [id]);
  const [filter, setFilter] = useState<ProposalFilter>('all');
  const proposals = useProposalPages(id, filter);
  // Motions open to amendment, whatever the list shows: the amendment form picks one of them.
  const [amendable, reloadAmendable] = useLoad(() => api.proposals(id, { status: 'amending', kind: 'motion', limit: 100 }), [id]);
  const refresh = useThrottled(() => {
    reload();
    proposals.reload();
    reloadAmendable();
  }, 500);
  const live = useLive(id, { entry: refresh });
  return (
    <Show loaded={circle} retry={reload}>
      {(c) => {
        const member = c.members.includes(me!.id);
        return (
          <section>
            <h1>
              {c.name} <span class="badge">{t(`regimes.${c.regime}`)}</span>{' '}
              <span class={live ? 'live on' : 'live'} aria-live="polite">
                {live ? t('app.live') : t('app.offline')}
              </span>
            </h1>
            <p class="muted">
              {t('circle.size', { count: c.size })} · <a href={`/circles/${c.id}/audit`}>{t('circle.audit')}</a>
            </p>
            {!member && <p class="notice">{t('circle.notMember')}</p>}
            <CircleFacts circle={c} />
            <h2>{t('circle.proposals')}</h2>
            <ProposalPages pages={proposals} filter={filter} setFilter={setFilter} />
            {member && (
              <>
                <OpenProposal circle={c} proposals={amendable.state === 'ready' ? amendable.value.items : []} />
                <Delegations circle={c} />
                <Cursor circle={c} />
                <Invite circle={c.id} />
                <CreateCircle parent={c.id} />
                <Leave circle={c.id} />
              </>
            )}
          </section>
        );
      }}
    </Show>
  );
}

function CircleFacts({ circle: c }: { circle: Circle }) {
  const t = useT();
  const { me } = useSession();
  const [forks] = useLoad(() => api.forks(c.id), [c.id, c.size]);
  const [children] = useLoad(() => api.circles(c.id), [c.id, c.size]);
  return (
    <div class="facts">
      <dl>
        <dt>{t('circle.parent')}</dt>
        <dd>
          {c.parent === null ? (
            t('circle.noParent')
          ) : isRemote(c.parent) ? (
            <RemoteCircle circle={c.parent} as="parent" />
          ) : (
            <a href={`/circles/${c.parent}`}>{shortId(c.parent)}</a>
          )}
        </dd>
        {c.forkedFrom && (
          <>
            <dt>{t('circle.forks')}</dt>
            <dd>
              {t('circle.forkedFrom', { circle: '', seq: c.forkedFrom.atSeq })} <a href={`/circles/${c.forkedFrom.circle}`}>{shortId(c.forkedFrom.circle)}</a>
            </dd>
          </>
        )}
        <dt>
          <abbr title={t('witness.how')}>{t('witness.title')}</abbr>
        </dt>
        <dd>
          <WitnessStatus circle={c.id} size={c.size} />
        </dd>
        <dt>{t('circle.params')}</dt>
        <dd>
          {PARAM_NAMES.filter((p) => c.params[p] !== undefined)
            .map((p) => `${p} ${c.params[p]}`)
            .join(', ') || '—'}
        </dd>
      </dl>
      <h2>{t('circle.members')}</h2>
      <ul class="members">
        {c.members.slice(0, MEMBERS_SHOWN).map((m) => (
          <li key={m}>
            <MemberName id={m} you={me?.id} />
          </li>
        ))}
      </ul>
      {c.members.length > MEMBERS_SHOWN && <p class="muted">{t('circle.more', { count: c.members.length - MEMBERS_SHOWN })}</p>}
      <h2>{t('circle.children')}</h2>
      {(children.state === 'ready' && children.value.items.length > 0) || c.children.some(isRemote) ? (
        <ul>
          {children.state === 'ready' &&
            children.value.items.map((ch) => (
              <li key={ch.id}>
                <a href={`/circles/${ch.id}`}>{ch.name}</a>
              </li>
            ))}
          {c.children.filter(isRemote).map((k) => (
            <li key={k}>
              <RemoteCircle circle={k} as="child" />
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">—</p>
      )}
      {forks.state === 'ready' && forks.value.items.length > 0 && (
        <>
          <h2>{t('circle.forks')}</h2>
          <ul>
            {forks.value.items.map((f) => (
              <li key={f.circle}>
                <a href={`/circles/${f.circle}`}>{f.name}</a> ({f.members.length}
                {me && f.members.includes(me.id) ? `, ${t('circle.you')}` : ''})
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

export function Phase({ p }: { p: Proposal }) {
  const t = useT();
  const now = useNow();
  if (p.status === 'closed') return <span class="badge">{p.result ? t(`outcome.${p.result.outcome}`) : t('status.closed')}</span>;
  const c = countdown(p.status === 'amending' && p.amendmentsCloseAt ? p.amendmentsCloseAt : p.closesAt, now);
  return (
    <span class="badge phase">
      {t(`status.${p.status}`)} · {c.future ? t('proposal.closesIn', { time: formatCountdown(c) }) : t('proposal.awaitingTally')}
    </span>
  );
}

interface ProposalPaging {
  loaded: Loaded<Page<Proposal>>;
  /** the pages shown, asked again (a live update) */
  reload: () => void;
  /** the next page appended */
  more: () => void;
  moreStatus: ActionState;
}

/** The circle's proposals in `filter`'s phase, a page at a time; a reload keeps the pages the member asked for. */
function useProposalPages(circle: string, filter: ProposalFilter): ProposalPaging {
  const [loaded, setLoaded] = useState<Loaded<Page<Proposal>>>({ state: 'loading' });
  const [moreStatus, setMoreStatus] = useState<ActionState>({ pending: false, error: null, notice: null });
  const shown = useRef(0);
  // Answers to an older request (another filter, a reload since) are dropped.
  const generation = useRef(0);
  const fetchPage = (after: string | undefined) => api.proposals(circle, { status: statusOf(filter), limit: PAGE_SIZE, after });
  const reload = useCallback(() => {
    const g = ++generation.current;
    loadPages(fetchPage, shown.current).then(
      (value) => {
        if (g !== generation.current) return;
        shown.current = value.items.length;
        setLoaded({ state: 'ready', value });
      },
      (error) => g === generation.current && setLoaded({ state: 'error', error }),
    );
  }, [circle, filter]);
  useEffect(() => {
    shown.current = 0;
    setLoaded({ state: 'loading' });
    setMoreStatus({ pending: false, error: null, notice: null });
    reload();
  }, [reload]);
  const more = () => {
    if (loaded.state !== 'ready' || loaded.value.next === null || moreStatus.pending) return;
    const g = generation.current;
    const list = loaded.value;
    setMoreStatus({ pending: true, error: null, notice: null });
    fetchPage(list.next!).then(
      (page) => {
        setMoreStatus({ pending: false, error: null, notice: null });
        if (g !== generation.current) return;
        const value = appendPage(list, page);
        shown.current = value.items.length;
        setLoaded({ state: 'ready', value });
      },
      (error) => setMoreStatus({ pending: false, error, notice: null }),
    );
  };
  return { loaded, reload, more, moreStatus };
}

function ProposalPages({ pages, filter, setFilter }: { pages: ProposalPaging; filter: ProposalFilter; setFilter: (f: ProposalFilter) => void }) {
  const t = useT();
  return (
    <div class="proposals">
      <RadioChoice legend={t('circle.show')} name="proposal-filter" options={PROPOSAL_FILTERS} value={filter} onChange={setFilter} label={(f) => (f === 'all' ? t('circle.all') : t(`status.${f}`))} />
      <Show loaded={pages.loaded} retry={pages.reload}>
        {({ items, next }) =>
          items.length === 0 ? (
            <p class="muted">{filter === 'all' ? t('circle.noProposals') : t('circle.noneInPhase')}</p>
          ) : (
            <>
              <ul class="cards" data-testid="proposal-list">
                {items.map((p) => (
                  <li key={p.id}>
                    <a href={proposalHref(p)}>{p.title}</a> <span class="muted">{t(`kinds.${p.kind}`)}</span> <Phase p={p} />
                  </li>
                ))}
              </ul>
              <p class="muted">
                {t('circle.shown', { count: items.length })}{' '}
                {next !== null && (
                  <button type="button" onClick={pages.more} disabled={pages.moreStatus.pending}>
                    {t('circle.moreProposals')}
                  </button>
                )}
              </p>
              <ActionStatus status={pages.moreStatus} />
            </>
          )
        }
      </Show>
    </div>
  );
}

function OpenProposal({ circle, proposals }: { circle: Circle; proposals: Proposal[] }) {
  const t = useT();
  const { me } = useSession();
  const { route } = useLocation();
  const amendable = proposals.filter((p) => p.kind === 'motion' && p.status === 'amending');
  const [form, setForm] = useState<ProposalForm>({ kind: 'motion', title: '', text: '', topic: '', minutes: 60, regime: 'unanimity' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const set = (patch: Partial<ProposalForm>) => setForm({ ...form, ...patch });
  const target = amendable.find((p) => p.id === form.target);
  const field = (name: keyof ProposalForm, label: string, input: preact.JSX.Element) => (
    <div class="field">
      <label for={`p-${name}`}>{label}</label>
      {input}
      {errors[name] && (
        <p class="field-error" id={`p-${name}-error`}>
          {errors[name]}
        </p>
      )}
    </div>
  );
  const text = (name: 'title' | 'topic' | 'find' | 'replace' | 'member' | 'name') => (
    <input id={`p-${name}`} value={(form[name] as string) ?? ''} aria-invalid={!!errors[name]} onInput={(e) => set({ [name]: e.currentTarget.value })} />
  );
  /** one of `options`, each a value and its label */
  const choose = (name: 'kind' | 'target' | 'regime', options: [string, string][]) => (
    <select id={`p-${name}`} value={form[name] ?? ''} onChange={(e) => set({ [name]: e.currentTarget.value })}>
      {options.map(([value, label]) => (
        <option key={value} value={value}>
          {label}
        </option>
      ))}
    </select>
  );
  const open = async () => {
    const built = proposalBody({ ...form, targetText: target?.text, targetAmendmentsCloseAt: target?.amendmentsCloseAt }, Date.now());
    if (!built.ok) return setErrors(Object.fromEntries(built.errors.map((x) => [x.field, t(`form.${x.key}`)])));
    setErrors({});
    const res = await act(me!, 'proposal.open', circle.id, built.value);
    route(`/proposals/${res.id}`);
  };
  return (
    <ActionForm submit={t('proposal.submit')} noValidate action={open}>
      <h2>{t('circle.open')}</h2>
      {field(
        'kind',
        t('proposal.kind'),
        choose(
          'kind',
          kindsFor(circle.regime, amendable.length > 0).map((k) => [k, t(`kinds.${k}`)]),
        ),
      )}
      {form.kind === 'amendment' &&
        field(
          'target',
          t('proposal.target'),
          choose('target', [['', '—'], ...amendable.map((p): [string, string] => [p.id, p.title])]),
        )}
      {form.kind === 'amendment' && target && <blockquote class="target-text">{target.text}</blockquote>}
      {field('title', t('proposal.title'), text('title'))}
      {field('text', t('proposal.text'), <textarea id="p-text" rows={4} value={form.text} aria-invalid={!!errors.text} onInput={(e) => set({ text: e.currentTarget.value })} />)}
      {field('topic', t('proposal.topic'), text('topic'))}
      {form.kind === 'amendment' && field('find', t('proposal.find'), text('find'))}
      {form.kind === 'amendment' && field('replace', t('proposal.replace'), text('replace'))}
      {form.kind === 'regime' &&
        field(
          'regime',
          t('proposal.newRegime'),
          choose(
            'regime',
            REGIMES.map((r) => [r, t(`regimes.${r}`)]),
          ),
        )}
      {form.kind === 'membership' &&
        field(
          'member',
          t('proposal.member'),
          <select id="p-member" value={form.member ?? ''} onChange={(e) => set({ member: e.currentTarget.value })}>
            <MemberOptions members={circle.members} />
          </select>,
        )}
      {form.kind === 'split' && field('name', t('proposal.splitName'), text('name'))}
      {form.kind !== 'amendment' &&
        field('minutes', t('proposal.minutes'), <input id="p-minutes" type="number" min={0.1} step="any" value={form.minutes} onInput={(e) => set({ minutes: Number(e.currentTarget.value) })} />)}
      {form.kind === 'motion' && circle.parent && (
        <div class="field check">
          <input id="p-ratify" type="checkbox" checked={!!form.ratify} onChange={(e) => set({ ratify: e.currentTarget.checked })} />
          <label for="p-ratify">{t('proposal.ratify')}</label>
        </div>
      )}
    </ActionForm>
  );
}

function Delegations({ circle }: { circle: Circle }) {
  const t = useT();
  const { me } = useSession();
  const [mine, reload] = useLoad(() => api.memberDelegations(me!.id), [me!.id, circle.size]);
  const [to, setTo] = useState('');
  const [kind, setKind] = useState<ScopeChoice['kind']>('circle');
  const [topic, setTopic] = useState('');
  const [run, status] = useAction();
  const scopeChoice: ScopeChoice = kind === 'topic' ? { kind, topic } : kind === 'proposal' ? { kind, proposal: topic } : { kind: 'circle' };
  return (
    <section class="panel">
      <h2>{t('delegation.title')}</h2>
      <h3>{t('delegation.mine')}</h3>
      <Show loaded={mine} retry={reload}>
        {(d) => {
          const here = d.outgoing.filter((o) => o.circle === circle.id);
          return here.length === 0 ? (
            <p class="muted">{t('delegation.none')}</p>
          ) : (
            <ul>
              {here.map((o) => (
                <li key={`${o.scope.kind}:${o.scope.value}`}>
                  {t(`delegation.scope_${o.scope.kind}`)} {o.scope.value} → <MemberName id={o.delegate} />{' '}
                  <button
                    type="button"
                    onClick={() =>
                      run(async () => {
                        const scope = o.scope.kind === 'circle' ? { circle: true as const } : o.scope.kind === 'topic' ? { topic: o.scope.value } : { proposal: o.scope.value };
                        await act(me!, 'delegation.revoke', circle.id, { scope });
                        reload();
                      }, t('delegation.revoked'))
                    }
                  >
                    {t('delegation.revoke')}
                  </button>
                </li>
              ))}
            </ul>
          );
        }}
      </Show>
      <ActionForm
        bare
        status={status}
        submit={t('delegation.set')}
        disabled={to === ''}
        onSubmit={() =>
          run(async () => {
            await act(me!, 'delegation.set', circle.id, { to, scope: delegationScope(scopeChoice) });
            reload();
          }, t('delegation.saved'))
        }
      >
        <label for="d-to">{t('delegation.to')}</label>
        <select id="d-to" value={to} onChange={(e) => setTo(e.currentTarget.value)}>
          <MemberOptions members={circle.members.filter((m) => m !== me!.id)} />
        </select>
        <label for="d-scope">{t('delegation.scope')}</label>
        <select id="d-scope" value={kind} onChange={(e) => setKind(e.currentTarget.value as ScopeChoice['kind'])}>
          <option value="circle">{t('delegation.scope_circle')}</option>
          <option value="topic">{t('delegation.scope_topic')}</option>
          <option value="proposal">{t('delegation.scope_proposal')}</option>
        </select>
        {kind !== 'circle' && (
          <>
            <label for="d-value">{kind === 'topic' ? t('delegation.topic') : t('delegation.proposal')}</label>
            <input id="d-value" value={topic} onInput={(e) => setTopic(e.currentTarget.value)} />
          </>
        )}
      </ActionForm>
      <h3>{t('delegation.graph')}</h3>
      <DelegationGraph circle={circle.id} version={circle.size} />
    </section>
  );
}

function Cursor({ circle }: { circle: Circle }) {
  const t = useT();
  const { me } = useSession();
  const [view, reload] = useLoad(() => loadCursor(api, circle), [circle.id, circle.size]);
  const mine = view.state === 'ready' ? view.value.positions.get(me!.id) : undefined;
  const [position, setPosition] = useState<RegimeName | null>(null);
  const chosen = position ?? mine ?? circle.regime;
  return (
    <ActionForm action={() => act(me!, 'regime.position', circle.id, { position: chosen })} done={t('cursor.saved')} submit={t('cursor.save')}>
      <h2>{t('cursor.title')}</h2>
      <p class="muted">{t('cursor.intro')}</p>
      <p>{t('cursor.current', { regime: t(`regimes.${circle.regime}`) })}</p>
      <Show loaded={view} retry={reload}>
        {(v) => (
          <>
            <h3>{t('cursor.distribution')}</h3>
            <table class="distribution">
              <caption class="sr-only">{t('cursor.distribution')}</caption>
              <tbody>
                {REGIMES.map((r) => (
                  <tr key={r}>
                    <th scope="row">{t(`regimes.${r}`)}</th>
                    <td>
                      <span class="bar" style={{ width: `${v.E ? (100 * v.weights[r]) / v.E : 0}%` }} />
                    </td>
                    <td>{v.weights[r]}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p data-testid="cursor-summary">{t('cursor.summary', { cast: v.cast, E: v.E, regime: v.regime ? t(`regimes.${v.regime}`) : t('cursor.noMedian') })}</p>
          </>
        )}
      </Show>
      <RadioChoice legend={t('cursor.position')} name="position" options={REGIMES} value={chosen} onChange={setPosition} label={(r) => t(`regimes.${r}`)} />
    </ActionForm>
  );
}

function Invite({ circle }: { circle: string }) {
  const t = useT();
  const { me } = useSession();
  const [member, setMember] = useState('');
  return (
    <ActionForm action={() => act(me!, 'member.invite', circle, { member: member.trim() })} done={t('circle.invited')} submit={t('circle.inviteSubmit')} disabled={member.trim() === ''}>
      <h2>{t('circle.invite')}</h2>
      <label for="invite-id">{t('circle.inviteId')}</label>
      <input id="invite-id" value={member} onInput={(e) => setMember(e.currentTarget.value)} />
    </ActionForm>
  );
}

function Leave({ circle }: { circle: string }) {
  const t = useT();
  const { me } = useSession();
  const { route } = useLocation();
  const [run, status] = useAction();
  return (
    <div class="panel">
      <button
        type="button"
        class="danger"
        onClick={() => {
          if (!confirm(t('circle.leaveConfirm'))) return;
          void run(async () => {
            await act(me!, 'member.leave', circle, {});
            route('/');
          });
        }}
      >
        {t('circle.leave')}
      </button>
      <ActionStatus status={status} />
    </div>
  );
}
