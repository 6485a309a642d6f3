import type { ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { errorMessage } from '../lib/i18n';
import { type Loaded, useLoad, useT } from '../lib/state';
import { api } from '../lib/api';
import { shortId } from '../lib/format';

export function Loading() {
  const t = useT();
  return (
    <p class="loading" role="status" aria-live="polite">
      {t('app.loading')}
    </p>
  );
}

export function ErrorBox({ error, retry }: { error: unknown; retry?: () => void }) {
  const t = useT();
  return (
    <div class="error" role="alert">
      <p>{errorMessage(error)}</p>
      {retry && (
        <button type="button" onClick={retry}>
          {t('app.retry')}
        </button>
      )}
    </div>
  );
}

/** Renders `children(value)` once loaded; a status line while loading, the error with a retry after. */
export function Show<T>({ loaded, retry, children }: { loaded: Loaded<T>; retry?: () => void; children: (value: T) => ComponentChildren }) {
  if (loaded.state === 'loading') return <Loading />;
  if (loaded.state === 'error') return <ErrorBox error={loaded.error} retry={retry} />;
  return <>{children(loaded.value)}</>;
}

const names = new Map<string, Promise<string>>();
function nameOf(id: string): Promise<string> {
  let p = names.get(id);
  if (!p) {
    p = api.member(id).then((m) => m.name, () => shortId(id));
    names.set(id, p);
  }
  return p;
}

/** Above this many members, pickers and graphs show short ids instead of fetching every name. */
export const NAMES_LIMIT = 300;

/** Display names of a few members (fetched once per id); short ids stand in until they arrive, and for large circles. */
export function useNames(all: readonly string[]): Map<string, string> {
  const ids = all.length <= NAMES_LIMIT ? all : [];
  const key = ids.join(',');
  const [loaded] = useLoad(async () => new Map(await Promise.all(ids.map(async (id) => [id, await nameOf(id)] as [string, string]))), [key]);
  const fallback = useMemo(() => new Map(all.map((id) => [id, shortId(id)])), [all.length, key]);
  return loaded.state === 'ready' ? loaded.value : fallback;
}

/** A member by name (fetched once per id), her id in the title. */
export function MemberName({ id, you }: { id: string; you?: string }) {
  const t = useT();
  const [loaded] = useLoad(() => nameOf(id), [id]);
  const name = loaded.state === 'ready' ? loaded.value : shortId(id);
  return (
    <span class="member" title={id}>
      {name}
      {you === id && <em> ({t('circle.you')})</em>}
    </span>
  );
}

/** Where an action stands: running, refused (the error to translate), or done (its notice). */
export interface ActionState {
  pending: boolean;
  error: unknown;
  notice: string | null;
}

/** A form's submit with its pending state and the translated refusal. */
export function useAction(): [(fn: () => Promise<unknown>, done?: string) => Promise<void>, ActionState] {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const run = async (fn: () => Promise<unknown>, done?: string) => {
    setPending(true);
    setError(null);
    setNotice(null);
    try {
      await fn();
      if (done) setNotice(done);
    } catch (e) {
      setError(e);
    } finally {
      setPending(false);
    }
  };
  return [run, { pending, error, notice }];
}

export function ActionStatus({ status }: { status: ActionState }) {
  const t = useT();
  return (
    <div aria-live="polite">
      {status.pending && <p class="pending">{t('app.loading')}</p>}
      {status.error !== null && <ErrorBox error={status.error} />}
      {status.notice && <p class="notice">{status.notice}</p>}
    </div>
  );
}

/** A read-only value to hand on (a link, a code), selected on focus, with a copy button. */
export function CopyField({ id, label, value }: { id: string; label: string; value: string }) {
  const t = useT();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input id={id} readOnly value={value} onFocus={(e) => e.currentTarget.select()} />
      <button type="button" onClick={() => navigator.clipboard?.writeText(value)}>
        {t('me.copy')}
      </button>
    </div>
  );
}

/**
 * How a form runs: its own `action` (with the notice `done` once it succeeded), or, when another
 * button shares its state (a retract beside a vote), the `status` and `onSubmit` of a useAction().
 */
type Runs = { action: () => Promise<unknown>; done?: string } | { status: ActionState; onSubmit: () => void };

/** A panel form run as one action: its fields, its submit button (off while pending), what became of it. */
export function ActionForm(
  props: Runs & {
    submit: string;
    disabled?: boolean;
    noValidate?: boolean;
    /** inside a panel already: no panel of its own */
    bare?: boolean;
    /** beside the submit button (another action of the form) */
    after?: ComponentChildren;
    children: ComponentChildren;
  },
) {
  const { submit, disabled = false, noValidate = false, bare = false, after, children } = props;
  const [run, own] = useAction();
  const status = 'status' in props ? props.status : own;
  return (
    <form
      class={bare ? undefined : 'panel'}
      noValidate={noValidate}
      onSubmit={(e) => {
        e.preventDefault();
        if ('action' in props) void run(props.action, props.done);
        else props.onSubmit();
      }}
    >
      {children}
      <button type="submit" disabled={status.pending || disabled}>
        {submit}
      </button>
      {after}
      <ActionStatus status={status} />
    </form>
  );
}

/** One choice among a few, as radio buttons. */
export function RadioChoice<T extends string>({ legend, name, options, value, onChange, label }: { legend: string; name: string; options: readonly T[]; value: T; onChange: (value: T) => void; label: (value: T) => string }) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      {options.map((o) => (
        <label key={o} class="radio">
          <input type="radio" name={name} value={o} checked={value === o} onChange={() => onChange(o)} /> {label(o)}
        </label>
      ))}
    </fieldset>
  );
}

/** A loaded list of items, each as `children(item)`; `empty` when there is none. */
export function ShowList<T>({ loaded, retry, empty, testid, class: listClass = 'cards', children }: { loaded: Loaded<{ items: T[] }>; retry?: () => void; empty: ComponentChildren; testid?: string; class?: string; children: (item: T) => ComponentChildren }) {
  return (
    <Show loaded={loaded} retry={retry}>
      {({ items }) =>
        items.length === 0 ? (
          <>{empty}</>
        ) : (
          <ul class={listClass} data-testid={testid}>
            {items.map(children)}
          </ul>
        )
      }
    </Show>
  );
}

/** The members of a circle as a picker's options: name and short id (the names of small circles only). */
export function MemberOptions({ members }: { members: readonly string[] }) {
  const names = useNames(members);
  return (
    <>
      <option value="">—</option>
      {members.map((m) => (
        <option key={m} value={m}>
          {names.get(m)} ({shortId(m, 6)})
        </option>
      ))}
    </>
  );
}
