import { useEffect } from 'preact/hooks';
import { api } from '../lib/api';
import { loadWitnessing } from '../lib/witnesses';
import { useLoad, useSession, useT } from '../lib/state';

/** How often a page asks again (witnesses cosign every WITNESS_INTERVAL_SECONDS). */
const POLL_MS = 10_000;

/**
 * Whether the circle's latest cosigned checkpoint exists, by how many witnesses and up to which
 * entry; `size` (the log's, when the page knows it) says how many newer entries await them.
 */
export function WitnessStatus({ circle, size }: { circle: string; size?: number }) {
  const t = useT();
  const { language } = useSession();
  const [loaded, reload] = useLoad(() => loadWitnessing(api, circle), [circle, size]);
  useEffect(() => {
    const timer = setInterval(reload, POLL_MS);
    return () => clearInterval(timer);
  }, [circle]);
  let text: string;
  let cls = 'witnesses';
  if (loaded.state === 'loading') text = t('witness.loading');
  else if (loaded.state === 'error') {
    const e = loaded.error as { code?: string; reason?: string; message?: string };
    text = t('witness.unreadable', { reason: `${e.code ?? ''} ${e.reason ?? e.message ?? ''}`.trim() });
    cls += ' bad';
  } else if (loaded.value.state === 'none') text = t('witness.none');
  else {
    const w = loaded.value;
    const last = Math.max(...w.witnesses.map((c) => c.timestamp));
    text = t('witness.cosigned', {
      count: w.witnesses.length,
      names: w.witnesses.map((c) => c.name).join(', '),
      last: w.size - 1,
      when: new Date(last * 1000).toLocaleString(language),
    });
    if (size !== undefined && size > w.size) text += ` ${t('witness.behind', { count: size - w.size })}`;
    cls += ' cosigned';
  }
  return (
    <p class={cls} data-testid="witnesses" aria-live="polite">
      {text}
    </p>
  );
}
