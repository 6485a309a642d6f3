import { api, type CircleSummary } from '../lib/api';
import { useLoad, useT } from '../lib/state';
import { Show } from '../components/ui';

/** The federation: circles nested under their parent; a fork is a sibling of its original. */
export function TreePage() {
  const t = useT();
  const [loaded, reload] = useLoad(() => api.circles(), []);
  return (
    <section>
      <h1>{t('tree.title')}</h1>
      <Show loaded={loaded} retry={reload}>
        {({ items }) => {
          if (items.length === 0) return <p>{t('tree.empty')}</p>;
          const byParent = new Map<string | null, CircleSummary[]>();
          for (const c of items) byParent.set(c.parent, [...(byParent.get(c.parent) ?? []), c]);
          const names = new Map(items.map((c) => [c.id, c.name]));
          const branch = (parent: string | null) => (
            <ul class="tree">
              {(byParent.get(parent) ?? []).map((c) => (
                <li key={c.id}>
                  <a href={`/circles/${c.id}`}>{c.name}</a> <span class="badge">{t(`regimes.${c.regime}`)}</span>
                  {c.forkedFrom && <span class="muted"> — {t('tree.forkOf', { name: names.get(c.forkedFrom) ?? c.forkedFrom })}</span>}
                  {byParent.has(c.id) && branch(c.id)}
                </li>
              ))}
            </ul>
          );
          return branch(null);
        }}
      </Show>
    </section>
  );
}
