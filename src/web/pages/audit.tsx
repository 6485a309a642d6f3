import { useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { api } from '../lib/api';
import { auditCircle, type AuditReport, type Progress } from '../lib/audit';
import { useT } from '../lib/state';
import { MemberName, ErrorBox } from '../components/ui';
import { shortId } from '../lib/format';
import { WitnessStatus } from '../components/witnesses';

const SHOWN = 500;

export function AuditPage() {
  const { params } = useRoute();
  const id = params.id;
  const t = useT();
  const [progress, setProgress] = useState<Parameters<Progress> | null>(null);
  const [report, setReport] = useState<AuditReport | null>(null);
  const [error, setError] = useState<unknown>(null);
  const run = async () => {
    setReport(null);
    setError(null);
    setProgress([0, 0, 'registry']);
    try {
      setReport(await auditCircle(api, id, (done, total, stage) => setProgress([done, total, stage])));
    } catch (e) {
      setError(e);
    } finally {
      setProgress(null);
    }
  };
  return (
    <section>
      <p>
        <a href={`/circles/${id}`}>← {shortId(id)}</a>
      </p>
      <h1>{t('audit.title')}</h1>
      <p>{t('audit.intro')}</p>
      <dl>
        <dt>
          <abbr title={t('witness.how')}>{t('witness.title')}</abbr>
        </dt>
        <dd>
          <WitnessStatus circle={id} size={report?.ok ? report.size : undefined} />
        </dd>
      </dl>
      <button type="button" onClick={run} disabled={progress !== null}>
        {t('audit.run')}
      </button>
      <div aria-live="polite">
        {progress && (
          <p role="status" data-testid="audit-progress">
            {progress[2] === 'registry' ? (
              t('audit.registry', { done: progress[0] })
            ) : (
              <>
                {t('audit.running', { done: progress[0], total: progress[1] })} <progress max={progress[1] || 1} value={progress[0]} />
              </>
            )}
          </p>
        )}
        {error !== null && <ErrorBox error={error} />}
        {report && (
          <p class={!report.ok ? 'verdict failed' : report.covered < report.size ? 'verdict partial' : 'verdict ok'} data-testid="audit-verdict">
            {report.ok
              ? report.covered < report.size
                ? `✔ ${t('audit.okPartial', { size: report.size, tallies: report.tallies, instance: report.instance, count: report.covered })}`
                : `✔ ${t('audit.ok', { size: report.size, tallies: report.tallies, instance: report.instance })}`
              : `✘ ${t('audit.failed', { reason: `${report.failure!.stage}${report.failure!.seq !== undefined ? ` #${report.failure!.seq}` : ''}: ${report.failure!.code} — ${report.failure!.reason}` })}`}
          </p>
        )}
        {report?.ok && report.covered < report.size && (
          <p class="pending" data-testid="audit-uncovered">
            {t('audit.uncovered', { from: report.covered, count: report.size - report.covered })}
          </p>
        )}
      </div>
      {report && report.entries.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('audit.entry')}</th>
                <th scope="col">{t('audit.type')}</th>
                <th scope="col">{t('audit.signer')}</th>
                <th scope="col">{t('audit.recordedAt')}</th>
                <th scope="col">{t('audit.check')}</th>
              </tr>
            </thead>
            <tbody>
              {report.entries.slice(-SHOWN).map((e) => {
                const bad = !report.ok && report.failure?.seq === e.seq;
                return (
                  <tr key={e.seq} class={bad ? 'bad' : report.ok && e.seq >= report.covered ? 'uncovered' : ''}>
                    <td>{e.seq}</td>
                    <td>{e.type}</td>
                    <td>{e.system ? t('audit.system') : <MemberName id={e.signer} />}</td>
                    <td>{e.recordedAt}</td>
                    <td>{bad ? '✘' : !report.ok ? '…' : e.seq < report.covered ? `✔ ${t('audit.verified')}` : `✎ ${t('audit.signedOnly')}`}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
