import { api, type CircleSummary } from '../lib/api';
import { useLoad, useT } from '../lib/state';
import { Show } from '../components/ui';
import { isRemote, RemoteCircle } from '../components/remote-circle';

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
          // A circle whose parent is on another instance (SPEC §12.2) stands at the top here.
          const parentHere = (c: CircleSummary) => (c.parent !== null && isRemote(c.parent) ? null : c.parent);
          for (const c of items) byParent.set(parentHere(c), [...(byParent.get(parentHere(c)) ?? []), c]);
          const names = new Map(items.map((c) => [c.id, c.name]));
          const branch = (parent: string | null) => (
            <ul class="tree">
              {(byParent.get(parent) ?? []).map((c) => {
                const remoteChildren = (c.children ?? []).filter(isRemote);
                return (
                  <li key={c.id}>
                    <a href={`/circles/${c.id}`}>{c.name}</a> <span class="badge">{t(`regimes.${c.regime}`)}</span>
                    {c.forkedFrom && <span class="muted"> — {t('tree.forkOf', { name: names.get(c.forkedFrom) ?? c.forkedFrom })}</span>}
                    {c.parent && isRemote(c.parent) && (
                      <span class="muted">
                        {' '}
                        — <RemoteCircle circle={c.parent} as="parent" />
                      </span>
                    )}
                    {byParent.has(c.id) && branch(c.id)}
                    {remoteChildren.length > 0 && (
                      <ul class="tree">
                        {remoteChildren.map((k) => (
                          <li key={k} class="muted">
                            <RemoteCircle circle={k} as="child" />
                          </li>
                        ))}
                      </ul>
                    )}
                  </li>
                );
              })}
            </ul>
          );
          return branch(null);
        }}
      </Show>
    </section>
  );
}
