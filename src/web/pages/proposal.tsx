import { useEffect, useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { api, type Proposal, type Provisional } from '../lib/api';
import { act } from '../lib/identity';
import { useEntriesOf, useLive, useLoad, useSession, useT, useThrottled } from '../lib/state';
import { isRemoteCircle } from '../../core/formats/ids';
import { ActionForm, MemberName, RadioChoice, Show, ShowList, useAction, useNames } from '../components/ui';
import { TallyChart } from '../components/tally-chart';
import { DelegationGraph } from '../components/delegation-graph';
import { Phase } from './circle';
import { voteBody, voteChoices } from '../lib/forms';
import { proposalHref, shortId } from '../lib/format';

export function ProposalPage() {
  const { params, query } = useRoute();
  const id = params.id;
  const t = useT();
  const [loaded, reload] = useLoad(() => {
    // The circle named by the link: its delegations are asked for with the proposal, not after it.
    if (query.circle) api.prefetch(api.delegationsPath(query.circle, id));
    return api.proposal(id);
  }, [id]);
  const [live, setLive] = useState<Provisional | null>(null);
  useEffect(() => setLive(null), [id]);
  const circle = loaded.state === 'ready' ? loaded.value.circle : null;
  useLive(circle, {
    tally: (e) => {
      if (e.proposal === id) setLive(e.provisional as unknown as Provisional);
    },
    entry: (e) => {
      if (e.type === 'tally.result' || e.type === 'proposal.open') reload();
    },
  });
  return (
    <Show loaded={loaded} retry={reload}>
      {(p) => {
        const totals = p.result ? { ...p.result.totals, lost: p.result.lost.weight, absent: p.result.absent } : (live ?? p.provisional);
        return (
          <section>
            <p>
              <a href={`/circles/${p.circle}`}>← {shortId(p.circle)}</a>
            </p>
            <h1>{p.title}</h1>
            <p>
              <span class="badge">{t(`kinds.${p.kind}`)}</span> <span class="badge">{t(`regimes.${p.regime}`)}</span> <Phase p={p} />
            </p>
            <p class="muted">
              <MemberName id={p.openedBy} />
            </p>
            <div class="text">{p.text}</div>
            {p.originalText !== undefined && p.originalText !== p.text && (
              <details>
                <summary>{t('proposal.original')}</summary>
                <div class="text">{p.originalText}</div>
              </details>
            )}
            {p.amendments && p.amendments.length > 0 && (
              <>
                <h2>{t('proposal.amendments')}</h2>
                <ul>
                  {p.amendments.map((a) => (
                    <li key={a.id}>
                      <a href={proposalHref({ id: a.id, circle: p.circle })}>
                        «{a.find}» → «{a.replace}»
                      </a>{' '}
                      <span class="badge">{t(`amendmentStatus.${a.status}`)}</span>
                    </li>
                  ))}
                </ul>
              </>
            )}
            {p.result && (
              <div class="result" data-testid="result">
                <h2>{t('proposal.result')}</h2>
                <p class={`outcome ${p.result.outcome}`}>{t('proposal.outcomeIs', { outcome: t(`outcome.${p.result.outcome}`) })}</p>
              </div>
            )}
            {totals && (
              <>
                {/* closed: the chart is the signed result's, under its heading above */}
                {!p.result && <h2>{t('proposal.tally')}</h2>}
                <TallyChart totals={totals} kind={p.kind} regime={p.regime} params={p.params} />
              </>
            )}
            {p.status !== 'closed' && <Vote p={p} onVoted={reload} />}
            <MyWeight p={p} totals={totals} />
            <Receipts id={p.id} circle={p.circle} closed={!!p.result} />
            <h2>{t('delegation.graph')}</h2>
            <DelegationGraph circle={p.circle} proposal={p.id} version={(totals?.Y ?? 0) * 1000 + (totals?.N ?? 0)} />
          </section>
        );
      }}
    </Show>
  );
}

function Vote({ p, onVoted }: { p: Proposal; onVoted: () => void }) {
  const t = useT();
  const { me } = useSession();
  const choices = voteChoices(p.kind, p.regime);
  const [choice, setChoice] = useState(choices[0]);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [run, status] = useAction();
  const retract = () =>
    run(async () => {
      await act(me!, 'vote.retract', p.circle, { proposal: p.id });
      onVoted();
    }, t('proposal.retracted'));
  return (
    <ActionForm
      status={status}
      submit={t('proposal.cast')}
      onSubmit={() => {
        const built = voteBody(p.id, choice, reason);
        if (!built.ok) return setError(t(`form.${built.errors[0].key}`));
        setError(null);
        void run(async () => {
          await act(me!, 'vote.cast', p.circle, built.value);
          onVoted();
        }, t('proposal.voted'));
      }}
      after={
        <>
          {' '}
          <button type="button" disabled={status.pending} onClick={retract}>
            {t('proposal.retract')}
          </button>
        </>
      }
    >
      <RadioChoice legend={t('proposal.vote')} name="choice" options={choices} value={choice} onChange={setChoice} label={(c) => t(`choices.${c}`)} />
      {choices.includes('object') && (
        <>
          <label for="reason">{t('proposal.reason')}</label>
          <textarea id="reason" rows={2} value={reason} aria-invalid={!!error} onInput={(e) => setReason(e.currentTarget.value)} />
        </>
      )}
      {error && <p class="field-error">{error}</p>}
    </ActionForm>
  );
}

function MyWeight({ p, totals }: { p: Proposal; totals?: Provisional }) {
  const t = useT();
  const { me } = useSession();
  const [w] = useLoad(() => api.weight(p.id, me!.id), [p.id, p.status, totals?.Y, totals?.N, totals?.A, totals?.O, totals?.lost]);
  const v = w.state === 'ready' ? w.value : null;
  // Through whom her weight went, by name (short ids in a circle too large to fetch every name).
  const names = useNames(v ? [...v.chain, ...(v.cycle ?? [])] : []);
  if (!v) return null;
  const name = (m: string) => names.get(m) ?? shortId(m);
  const chain = v.chain.map(name).join(' → ');
  const text =
    v.cast === 'direct'
      ? t('proposal.cast_direct', { choice: t(`choices.${v.choice}`) })
      : v.cast === 'delegated'
        ? t('proposal.cast_delegated', { chain, choice: t(`choices.${v.choice}`) })
        : v.cast === 'lost'
          ? v.cycle
            ? t('proposal.cast_lostCycle', { cycle: v.cycle.map(name).join(' → ') })
            : t('proposal.cast_lost', { chain })
          : t('proposal.cast_absent');
  return (
    <p data-testid="my-weight">
      <strong>{t('proposal.myWeight')}:</strong> {text}
    </p>
  );
}

/** How far up `ancestors` climbs (a federation deeper than this is not expected). */
const MAX_DEPTH = 32;

/** The circle's ancestors on this instance with their names and log sizes, nearest first (a parent on another instance ends the climb). */
async function ancestors(circle: string): Promise<Array<{ circle: string; name: string; size: number }>> {
  const out: Array<{ circle: string; name: string; size: number }> = [];
  let parent = (await api.circle(circle)).parent;
  while (parent !== null && !isRemoteCircle(parent) && out.length < MAX_DEPTH && !out.some((a) => a.circle === parent)) {
    const c = await api.circle(parent);
    out.push({ circle: c.id, name: c.name, size: c.size });
    parent = c.parent;
  }
  return out;
}

/**
 * The decision's receipts up to the root, live: mounted with the page, once the proposal closed it
 * reads the ancestors' log sizes, then the receipts, and follows the parent's and the topmost
 * ancestor's event streams from those sizes on (receipts are written nearest first, one
 * `child.decision` entry in each: the first and the last arrive on those two streams, whatever the
 * depth; an entry written between the read and the stream's opening is sent first). Shown once closed.
 */
function Receipts({ id, circle, closed }: { id: string; circle: string; closed: boolean }) {
  const t = useT();
  // Nothing is carried before the tally: the ancestors (the circle's own answer lists every member,
  // large in a big circle) are read once it closed, and what was written before is read then too.
  const [loaded, reload] = useLoad(async () => {
    if (!closed) return { up: [], items: [] };
    const up = await ancestors(circle);
    return { up, items: (await api.receipts(id)).items };
  }, [id, circle, closed]);
  const up = loaded.state === 'ready' ? loaded.value.up : [];
  const watched = up.length === 0 ? [] : [...new Map([up[0], up[up.length - 1]].map((a) => [a.circle, { circle: a.circle, after: a.size - 1 }])).values()];
  const refresh = useThrottled(reload, 300);
  useEntriesOf(watched, (e) => {
    if (e.type === 'child.decision') refresh();
  });
  if (!closed) return null;
  return (
    <section>
      <h2>{t('proposal.receipts')}</h2>
      <ShowList
        loaded={loaded}
        retry={reload}
        class=""
        testid="receipts"
        empty={
          <p class="muted">
            {t('proposal.noReceipts')}{' '}
            <button type="button" onClick={reload}>
              {t('app.retry')}
            </button>
          </p>
        }
      >
        {(r) => (
          <li key={r.ancestor}>
            <a href={`/circles/${r.ancestor}`} title={r.ancestor}>
              {t('proposal.receiptIn', { circle: up.find((a) => a.circle === r.ancestor)?.name ?? shortId(r.ancestor), seq: r.seq })}
            </a>
          </li>
        )}
      </ShowList>
    </section>
  );
}
