// A circle's proposals a page at a time (`GET /circles/:id/proposals`: newest first, `next` the
// cursor of the page after), filtered by phase. Pure: the page passes the fetch.
import type { ProposalStatus } from './api';

/** Proposals asked for per page. */
export const PAGE_SIZE = 20;

export interface Page<T> {
  items: T[];
  next: string | null;
}

/** Fetches the page after the cursor `after` (the first page without one). */
export type FetchPage<T> = (after: string | undefined) => Promise<Page<T>>;

/** What the list shows: every proposal, or those in one phase (the route's `status`). */
export const PROPOSAL_FILTERS = ['all', 'amending', 'open', 'closed'] as const;
export type ProposalFilter = (typeof PROPOSAL_FILTERS)[number];

/** The route's `status` for a filter (none for all). */
export function statusOf(filter: ProposalFilter): ProposalStatus | undefined {
  return filter === 'all' ? undefined : filter;
}

/** The list with the page after it appended: its cursor becomes the list's, an item already shown is not repeated. */
export function appendPage<T extends { id: string }>(list: Page<T>, page: Page<T>): Page<T> {
  const seen = new Set(list.items.map((i) => i.id));
  return { items: [...list.items, ...page.items.filter((i) => !seen.has(i.id))], next: page.next };
}

/**
 * The first pages again, until at least `count` items or the last page: what a live update reloads,
 * so the pages the member asked for stay shown (with their phases up to date).
 */
export async function loadPages<T extends { id: string }>(fetch: FetchPage<T>, count: number): Promise<Page<T>> {
  let list = await fetch(undefined);
  while (list.items.length < count && list.next !== null) {
    const before = list.next;
    list = appendPage(list, await fetch(list.next));
    if (list.next === before) throw new Error(`the service answered the cursor ${before} with itself`);
  }
  return list;
}
