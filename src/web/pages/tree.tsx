import { api, type CircleSummary } from '../lib/api';
import { useLoad, useT } from '../lib/state';
import { Show } from '../components/ui';
import { parseQualifiedCircleId } from '../../core/formats/ids';

/** A circle of another instance, named by its qualified id (SPEC §12.2); null for a circle here. */
const remoteCircle = (ref: string): { instance: string; circle: string } | null => {
  const q = parseQualifiedCircleId(ref);
  return q ? { instance: q.instance, circle: q.circle.slice(0, 8) } : null;
};

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
          const parentHere = (c: CircleSummary) => (c.parent !== null && remoteCircle(c.parent) ? null : c.parent);
          for (const c of items) byParent.set(parentHere(c), [...(byParent.get(parentHere(c)) ?? []), c]);
          const names = new Map(items.map((c) => [c.id, c.name]));
          const branch = (parent: string | null) => (
            <ul class="tree">
              {(byParent.get(parent) ?? []).map((c) => (
                <li key={c.id}>
                  <a href={`/circles/${c.id}`}>{c.name}</a> <span class="badge">{t(`regimes.${c.regime}`)}</span>
                  {c.forkedFrom && <span class="muted"> — {t('tree.forkOf', { name: names.get(c.forkedFrom) ?? c.forkedFrom })}</span>}
                  {c.parent && remoteCircle(c.parent) && <span class="muted"> — {t('tree.remoteParent', { ...remoteCircle(c.parent) })}</span>}
                  {byParent.has(c.id) && branch(c.id)}
                  {(c.children ?? []).some((k) => remoteCircle(k)) && (
                    <ul class="tree">
                      {(c.children ?? []).map(remoteCircle).filter((k) => k !== null).map((k) => (
                        <li key={`${k.instance}/${k.circle}`} class="muted">{t('tree.remoteChild', { ...k })}</li>
                      ))}
                    </ul>
                  )}
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
