// SPEC §6: positions (and circle-scoped delegations) move the regime cursor; the instance appends
// regime.changed when the weighted median moves; proposals already open keep their regime.
import { parseCompact } from '../../src/core/formats/statement';
import { formatTimestamp } from '../../src/core/formats/canonical-json';
import { decodeEntryLine } from '../../src/core/formats/entry';
import { eventually, startTestApp, TestApp } from '../support/app';
import { ApiClient } from '../support/client';
import { archipel } from '../support/cli';

describe('the regime cursor', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ worker: true });
  });
  afterAll(() => t.close());

  it('moves when positions move, and open proposals keep their regime', async () => {
    const api = new ApiClient(t.url);
    const [alice, bob, carol, dan] = await Promise.all(['Alice', 'Bob', 'Carol', 'Dan'].map((n) => api.register(n)));
    const circle = await api.circle(alice, 'Moving', { members: [bob, carol, dan], regime: 'unanimity' });
    const { id: open } = await api.act(alice, 'proposal.open', circle, {
      kind: 'motion',
      title: 'Long',
      text: 'Decided under the regime of its opening.',
      closesAt: formatTimestamp(Date.now() + 3_600_000),
    });

    const changes = async () =>
      (await api.get(`/api/v1/circles/${circle}/log`)).text
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const d = decodeEntryLine(l);
          if (!d.ok) throw new Error(d.reason);
          return parseCompact(d.entry.jws).payload;
        })
        .filter((p) => p.type === 'regime.changed')
        .map((p) => p.body);

    // carol follows bob on the cursor through her circle-scoped delegation; dan stays silent.
    await api.act(carol, 'delegation.set', circle, { to: bob.id, scope: { circle: true } });
    await api.act(alice, 'regime.position', circle, { position: 'amendment' });
    expect(await changes()).toEqual([]); // 1 of 4 cast: below cursorQuorum 1/2
    await api.act(bob, 'regime.position', circle, { position: 'amendment' });

    const [first] = await eventually(async () => {
      const c = await changes();
      return c.length ? c : undefined;
    }, 20_000, 'regime.changed');
    expect(first).toEqual({ from: 'unanimity', to: 'amendment', weights: { unanimity: 0, 'do-ocracy': 0, amendment: 3, split: 0 }, cast: 3, E: 4 });
    expect((await api.get<{ regime: string }>('/api/v1/circles/' + circle)).body.regime).toBe('amendment');
    expect((await api.get<{ regime: string }>('/api/v1/proposals/' + open)).body.regime).toBe('unanimity');

    // Ties go toward the more consensual side: 2 unanimity (alice, dan) against 2 amendment.
    await api.act(dan, 'regime.position', circle, { position: 'unanimity' });
    await api.act(alice, 'regime.position', circle, { position: 'unanimity' });
    const second = await eventually(async () => {
      const c = await changes();
      return c.length === 2 ? c[1] : undefined;
    }, 20_000, 'the second regime.changed');
    expect(second).toMatchObject({ from: 'amendment', to: 'unanimity', weights: { unanimity: 2, amendment: 2 }, cast: 4, E: 4 });
    expect((await api.get<{ regime: string }>('/api/v1/circles/' + circle)).body.regime).toBe('unanimity');
    // The verifier recomputes both moves from the log alone.
    const run = await archipel('verify', '--instance', t.url, '--circle', circle);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/0 tally results recomputed and equal; 2 regime changes recomputed and equal/);
  });

  it('refuses a position from a non-member', async () => {
    const api = new ApiClient(t.url);
    const [alice, eve] = await Promise.all(['Alice', 'Eve'].map((n) => api.register(n)));
    const circle = await api.circle(alice, 'Closed');
    const answer = await api.postJws(eve.sign('regime.position', circle, { position: 'split' }));
    expect(answer.body).toMatchObject({ code: 'NOT_A_MEMBER' });
  });
});
