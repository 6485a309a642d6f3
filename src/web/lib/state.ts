// Small shared state and hooks: the identity, the current language, loading data, live events.
import { createContext } from 'preact';
import { useContext, useEffect, useState, useCallback, useRef } from 'preact/hooks';
import type { Identity } from './identity';
import { api } from './api';
import { i18n } from './i18n';

export interface Session {
  me: Identity | null;
  setMe: (me: Identity | null) => void;
  language: string;
  setLanguage: (language: string) => void;
}

export const SessionContext = createContext<Session>(null as unknown as Session);
export const useSession = () => useContext(SessionContext);

/** `t` bound to the current language (components re-render when it changes). */
export function useT() {
  useSession();
  return i18n.t.bind(i18n);
}

export type Loaded<T> = { state: 'loading' } | { state: 'error'; error: unknown } | { state: 'ready'; value: T };

/** Load `fn()` when `deps` change; `reload` fetches again (after an action or a live event). */
export function useLoad<T>(fn: () => Promise<T>, deps: unknown[]): [Loaded<T>, () => void] {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    fn().then(
      (value) => live && setLoaded({ state: 'ready', value }),
      (error) => live && setLoaded({ state: 'error', error }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return [loaded, useCallback(() => setTick((n) => n + 1), [])];
}

export interface LiveHandlers {
  entry?: (e: { circle: string; seq: number; type: string; leaf: string; recordedAt: string }) => void;
  tally?: (e: { proposal: string; provisional: Record<string, number> }) => void;
}

/** The circle's server-sent events (GET /api/v1/circles/:id/events); returns whether it is connected. */
export function useLive(circle: string | null, handlers: LiveHandlers): boolean {
  const [open, setOpen] = useState(false);
  // The latest handlers, so a page that changes what it shows keeps one stream per circle.
  const latest = useRef(handlers);
  latest.current = handlers;
  useEffect(() => {
    if (!circle) return;
    const source = new EventSource(api.eventsUrl(circle));
    source.onopen = () => setOpen(true);
    source.onerror = () => setOpen(false);
    source.addEventListener('entry', (m) => latest.current.entry?.(JSON.parse((m as MessageEvent).data)));
    source.addEventListener('tally', (m) => latest.current.tally?.(JSON.parse((m as MessageEvent).data)));
    return () => source.close();
  }, [circle]);
  return open;
}

/**
 * The entry events of other circles than the page's own (a decision's ancestors, whose logs receive
 * its receipts): one stream each, from `after` (the seq of the last entry the page knows: the
 * entries since are sent first), reopened only when the circles change. A page keeps few: a browser
 * holds at most six connections to one host.
 */
export function useEntriesOf(circles: Array<{ circle: string; after?: number }>, onEntry: NonNullable<LiveHandlers['entry']>): void {
  const latest = useRef(onEntry);
  latest.current = onEntry;
  const key = circles.map((c) => c.circle).join(' ');
  useEffect(() => {
    const sources = circles.map(({ circle, after }) => {
      const source = new EventSource(api.eventsUrl(circle, after !== undefined && after >= 0 ? after : undefined));
      source.addEventListener('entry', (m) => latest.current(JSON.parse((m as MessageEvent).data)));
      return source;
    });
    return () => sources.forEach((s) => s.close());
  }, [key]);
}

/** Re-render every second (countdowns). */
export function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}

/** `fn` at most once per `ms` (the last call wins): a busy circle's entries do not reload a page per entry. */
export function useThrottled(fn: () => void, ms = 1000): () => void {
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);
  return useCallback(() => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      latest.current();
    }, ms);
  }, [ms]);
}
