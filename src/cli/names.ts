// Member names for readable output: GET /api/v1/members/:id, once per id; an id
// that cannot be looked up is shown shortened.
import type { Api } from './api';
import { shortId } from './format';

export async function memberNames(api: Api, ids: Iterable<string>): Promise<(id: string) => string> {
  const names = new Map<string, string>();
  await Promise.all(
    [...new Set(ids)].map(async (id) => {
      try {
        names.set(id, (await api.get<{ name: string }>(`/api/v1/members/${encodeURIComponent(id)}`)).name);
      } catch {
        // unknown here: shown by its id
      }
    }),
  );
  return (id) => names.get(id) ?? shortId(id);
}
