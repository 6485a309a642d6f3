import { useEffect, useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { api, type Proposal, type Provisional } from '../lib/api';
import { act } from '../lib/identity';
import { useLive, useLoad, useSession, useT } from '../lib/state';
import { ActionForm, MemberName, RadioChoice, Show, ShowList, useAction } from '../components/ui';
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
                      <span class="badge">{a.status}</span>
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
                <h2>{p.result ? t('proposal.result') : t('proposal.tally')}</h2>
                <TallyChart totals={totals} kind={p.kind} regime={p.regime} params={p.params} />
              </>
            )}
            {p.status !== 'closed' && <Vote p={p} onVoted={reload} />}
            <MyWeight p={p} totals={totals} />
            {p.result && <Receipts id={p.id} />}
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
  if (w.state !== 'ready') return null;
  const v = w.value;
  const chain = v.chain.map((m) => shortId(m)).join(' → ');
  const text =
    v.cast === 'direct'
      ? t('proposal.cast_direct', { choice: t(`choices.${v.choice}`) })
      : v.cast === 'delegated'
        ? t('proposal.cast_delegated', { chain, choice: t(`choices.${v.choice}`) })
        : v.cast === 'lost'
          ? v.cycle
            ? t('proposal.cast_lostCycle', { cycle: v.cycle.map((m) => shortId(m)).join(' → ') })
            : t('proposal.cast_lost', { chain })
          : t('proposal.cast_absent');
  return (
    <p data-testid="my-weight">
      <strong>{t('proposal.myWeight')}:</strong> {text}
    </p>
  );
}

function Receipts({ id }: { id: string }) {
  const t = useT();
  const [loaded, reload] = useLoad(() => api.receipts(id), [id]);
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
            <a href={`/circles/${r.ancestor}`}>{t('proposal.receiptIn', { circle: shortId(r.ancestor), seq: r.seq })}</a>
          </li>
        )}
      </ShowList>
    </section>
  );
}
