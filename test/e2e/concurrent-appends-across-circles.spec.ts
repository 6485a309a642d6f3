// Many circles at once: statements for different logs share transactions (cross-circle group
// commit), yet every log stays contiguous, chained and provable on its own.
import { decodeEntryLine } from '../../src/core/formats/entry';
import { base64url } from '../../src/core/formats/canonical-json';
import { rootFromLeafHashes } from '../../src/core/formats/merkle';
import { startTestApp, TestApp } from '../support/app';
import { ApiClient } from '../support/client';

describe('appends across many circles', () => {
  let t: TestApp;
  let api: ApiClient;

  beforeAll(async () => {
    t = await startTestApp();
    api = new ApiClient(t.url);
  });
  afterAll(() => t.close());

  it('keeps 30 logs contiguous and consistent under 300 concurrent appends', async () => {
    const founders = await Promise.all(Array.from({ length: 30 }, (_, i) => api.register(`F${i}`)));
    const guests = await Promise.all(Array.from({ length: 10 }, (_, i) => api.register(`G${i}`)));
    const circles = await Promise.all(founders.map((f, i) => api.circle(f, `Circle ${i}`)));
    const statements = circles.flatMap((c, i) => guests.map((g) => founders[i].sign('member.invite', c, { member: g.id })));
    const answers = await Promise.all(statements.map((jws) => api.postJws(jws)));
    expect(answers.filter((a) => a.status !== 201)).toEqual([]);

    for (const circle of circles) {
      const lines = (await api.get(`/api/v1/circles/${circle}/log`)).text.split('\n').filter(Boolean);
      expect(lines).toHaveLength(11);
      const decoded = lines.map((l) => {
        const d = decodeEntryLine(l);
        if (!d.ok) throw new Error(d.reason);
        return d;
      });
      decoded.forEach((d, seq) => {
        expect(d.entry).toMatchObject({ circle, seq, prev: seq ? base64url(decoded[seq - 1].leaf) : null });
      });
      const checkpoint = (await api.get(`/api/v1/circles/${circle}/checkpoint`)).text.split('\n');
      expect(checkpoint[1]).toBe('11');
      expect(checkpoint[2]).toBe(Buffer.from(rootFromLeafHashes(decoded.map((d) => d.leaf))).toString('base64'));
    }
  });
});
