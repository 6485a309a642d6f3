import { appendPage, loadPages, PROPOSAL_FILTERS, statusOf, type Page } from '../../../src/web/lib/paging';

type Item = { id: string };

/** A service holding `n` items, newest first, answering pages of `size` with a cursor (the last id given). */
function service(n: number, size: number) {
  const all: Item[] = Array.from({ length: n }, (_, i) => ({ id: `p${n - i}` }));
  const asked: Array<string | undefined> = [];
  const fetch = async (after: string | undefined): Promise<Page<Item>> => {
    asked.push(after);
    const start = after === undefined ? 0 : all.findIndex((x) => x.id === after) + 1;
    const items = all.slice(start, start + size);
    return { items, next: start + size < all.length ? items[items.length - 1].id : null };
  };
  return { all, asked, fetch };
}

describe('proposal pages', () => {
  it('appends the next page and takes its cursor', () => {
    const list = appendPage({ items: [{ id: 'a' }, { id: 'b' }], next: 'b' }, { items: [{ id: 'c' }], next: null });
    expect(list).toEqual({ items: [{ id: 'a' }, { id: 'b' }, { id: 'c' }], next: null });
  });

  it('does not repeat an item already shown', () => {
    const list = appendPage({ items: [{ id: 'a' }, { id: 'b' }], next: 'b' }, { items: [{ id: 'b' }, { id: 'c' }], next: 'c' });
    expect(list.items.map((i) => i.id)).toEqual(['a', 'b', 'c']);
    expect(list.next).toBe('c');
  });

  it('loads the first page alone when nothing more was shown', async () => {
    const s = service(45, 20);
    const list = await loadPages(s.fetch, 0);
    expect(list.items).toEqual(s.all.slice(0, 20));
    expect(list.next).toBe('p26');
    expect(s.asked).toEqual([undefined]);
  });

  it('loads again as many pages as the member had shown, following the cursors', async () => {
    const s = service(45, 20);
    const list = await loadPages(s.fetch, 40);
    expect(list.items).toEqual(s.all.slice(0, 40));
    expect(s.asked).toEqual([undefined, 'p26']);
    expect(list.next).toBe('p6');
  });

  it('stops at the last page', async () => {
    const s = service(45, 20);
    const list = await loadPages(s.fetch, 1000);
    expect(list.items).toEqual(s.all);
    expect(list.next).toBeNull();
    expect(s.asked).toHaveLength(3);
  });

  it('refuses a cursor answered with itself instead of looping', async () => {
    const stuck = async (): Promise<Page<Item>> => ({ items: [{ id: 'x' }], next: 'x' });
    await expect(loadPages(stuck, 10)).rejects.toThrow(/cursor x/);
  });

  it('maps each filter to the route\'s status', () => {
    expect(PROPOSAL_FILTERS.map(statusOf)).toEqual([undefined, 'amending', 'open', 'closed']);
  });
});
