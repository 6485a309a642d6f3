// The bulk typed-array tally loader (src/proposals/tally-loader.ts) and the Map-based one the
// server uses for ordinary circles (ProposalsRepository.tallyInputs) read the same state at close
// (SPEC §5.1) and so give the same tally.result body.
import { DataSource } from 'typeorm';
import { openDataSource } from '../../src/database/data-source';
import { DEFAULT_PARAMS } from '../../src/core/governance/params';
import { tallyProposal } from '../../src/core/governance/tally';
import { ProposalsRepository, type ProposalRow } from '../../src/proposals/proposals.repository';
import { loadTallyArrays, sideConnectionOf, snapshotPopulation, tallyLoaded, type LoadedTallyArrays } from '../../src/proposals/tally-loader';
import { createTestDatabase, TestDatabase } from '../support/database';
import { embeddedTestDatabase } from '../support/database-urls';

const CIRCLE = 'c-tally-loader';
const OPENED_SEQ = 25;
const CLOSES_AT = Date.parse('2026-03-01T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const BEFORE = iso(CLOSES_AT - 60_000);
const LONG_BEFORE = iso(CLOSES_AT - 3_600_000);
const AT_CLOSE = iso(CLOSES_AT);

// Ids in mixed case and with base64url punctuation, so that collation order and code-unit order differ.
const M = {
  y1: 'Yv-1', n1: 'nq_2', a1: 'a03', late: 'Late4', retract: 'r05', c1: 'c06', c2: 'c07', after: 'c08', topic: 'T09', other: 'o10',
  prop: 'P11', propOut: 'p12', cy1: 'Cy13', cy2: 'cy14', cy3: 'cy15', dup: 'D16', rejoin: 'j17', leftLater: 'L18', leftBefore: 'l19',
  intoCycle: 'z20', joinedAfter: 'Z21', toAbsent: '_22',
};

function proposal(id: string, topic: string | null): ProposalRow {
  return {
    id, circle: CIRCLE, kind: 'motion', title: 't', text: 'x', topic, regime: 'amendment', params: { ...DEFAULT_PARAMS },
    openedSeq: OPENED_SEQ, openedAt: CLOSES_AT - 86_400_000, openedBy: M.y1, closesAt: CLOSES_AT, amendmentsCloseAt: null, body: {}, result: null,
  };
}

describe('loadTallyArrays', () => {
  let db: TestDatabase;
  let ds: DataSource;
  const repo = () => new ProposalsRepository(ds);
  const tally = async (q: Parameters<typeof loadTallyArrays>[0], p: ProposalRow) => tallyLoaded(q, await loadTallyArrays(q, p));
  const ids = async () =>
    new Map<number, string>(
      ((await ds.query(`SELECT DISTINCT num, member FROM circle_membership WHERE circle = $1`, [CIRCLE])) as Array<{ num: number; member: string }>).map(
        (r) => [r.num, r.member],
      ),
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource({ url: db.url, poolSize: 3, embedded: embeddedTestDatabase() });
    const ids = Object.values(M);
    await ds.query(
      `INSERT INTO member (id, name, jwk, registry_seq) SELECT id, id, '{"kty":"OKP"}'::jsonb, k FROM unnest($1::text[]) WITH ORDINALITY AS u(id, k)`,
      [ids],
    );
    await ds.query(`INSERT INTO circle (id, name, regime, params, genesis_leaf) VALUES ($1, 'c', 'amendment', '{}', '\\x00')`, [CIRCLE]);
    // [member, joined_seq, left_seq]
    const memberships: Array<[string, number, number | null]> = [
      ...ids.filter((id) => ![M.dup, M.rejoin, M.leftLater, M.leftBefore, M.joinedAfter].includes(id)).map((id, k): [string, number, null] => [id, k + 1, null]),
      [M.dup, 2, 40], [M.dup, 3, 50], // two overlapping rows: counted once
      [M.rejoin, 5, 10], [M.rejoin, 12, null],
      [M.leftLater, 6, 27], // left after the opening: stays eligible
      [M.leftBefore, 7, 22], // left before: not eligible
      [M.joinedAfter, 30, null], // joined after: not eligible
    ];
    await ds.query(
      `INSERT INTO circle_membership (circle, member, joined_seq, left_seq) SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::bigint[])`,
      [CIRCLE, memberships.map((r) => r[0]), memberships.map((r) => r[1]), memberships.map((r) => r[2])],
    );
    const proposals = [['p-topic', 'budget'], ['p-no-topic', null], ['p-other', 'budget'], ['p-bad-outsider', null], ['p-bad', null]] as const;
    for (const [id, topic, seq] of proposals.map(([id, topic]) => [id, topic, OPENED_SEQ] as const)) {
      await ds.query(
        `INSERT INTO proposal (id, circle, opened_seq, opened_at, opened_by, kind, title, text, topic, regime, params, closes_at, body)
         VALUES ($1, $2, $3, $4, $5, 'motion', 't', 'x', $6, 'amendment', $7, $8, '{}')`,
        [id, CIRCLE, seq, LONG_BEFORE, M.y1, topic, JSON.stringify(DEFAULT_PARAMS), AT_CLOSE],
      );
    }
    // [member, choice, recorded_at] on both p-topic and p-no-topic
    const votes: Array<[string, string | null, string]> = [
      [M.y1, 'yes', BEFORE], [M.n1, 'no', BEFORE], [M.a1, 'abstain', BEFORE],
      [M.late, 'yes', AT_CLOSE], // recorded at close: after close
      [M.retract, null, BEFORE], // retracted
      [M.joinedAfter, 'yes', BEFORE], // not eligible: ignored
      [M.leftLater, 'no', BEFORE],
    ];
    for (const p of ['p-topic', 'p-no-topic']) {
      await ds.query(
        `INSERT INTO vote (proposal, member, choice, seq, recorded_at) SELECT $1, m, c, 100 + k, r FROM unnest($2::text[], $3::text[], $4::timestamptz[]) WITH ORDINALITY AS u(m, c, r, k)`,
        [p, votes.map((v) => v[0]), votes.map((v) => v[1]), votes.map((v) => v[2])],
      );
    }
    // A choice that is not one of the proposal's: ignored from a non-eligible member, an error from an eligible one.
    await ds.query(
      `INSERT INTO vote (proposal, member, choice, seq, recorded_at) VALUES
         ('p-bad-outsider', $1, 'maybe', 200, $3), ('p-bad-outsider', $2, 'yes', 201, $3),
         ('p-bad', $1, 'maybe', 202, $3), ('p-bad', $2, 'maybe', 203, $3)`,
      [M.joinedAfter, M.y1, BEFORE],
    );
    // [member, scope_kind, scope_value, delegate, set_at, ended_at]
    const d: Array<[string, string, string, string, string, string | null]> = [
      [M.y1, 'circle', '', M.n1, LONG_BEFORE, null], // a direct vote overrides her own delegation
      [M.c1, 'circle', '', M.y1, LONG_BEFORE, null],
      [M.c2, 'circle', '', M.n1, LONG_BEFORE, BEFORE], // ended before close ...
      [M.c2, 'circle', '', M.a1, BEFORE, null], // ... replaced
      [M.after, 'circle', '', M.n1, AT_CLOSE, null], // set at close: not in force
      [M.after, 'proposal', 'p-other', M.y1, LONG_BEFORE, null], // another proposal
      [M.topic, 'circle', '', M.y1, LONG_BEFORE, null],
      [M.topic, 'topic', 'budget', M.n1, LONG_BEFORE, null], // topic beats circle
      [M.other, 'topic', 'roads', M.n1, LONG_BEFORE, null], // another topic
      [M.other, 'circle', '', M.a1, LONG_BEFORE, null],
      [M.prop, 'circle', '', M.n1, LONG_BEFORE, null],
      [M.prop, 'proposal', 'p-topic', M.y1, LONG_BEFORE, null], // proposal beats circle
      [M.prop, 'proposal', 'p-no-topic', M.y1, LONG_BEFORE, null],
      [M.propOut, 'proposal', 'p-topic', M.joinedAfter, LONG_BEFORE, null], // delegate not eligible: next scope
      [M.propOut, 'circle', '', M.n1, LONG_BEFORE, null],
      [M.cy1, 'circle', '', M.cy2, LONG_BEFORE, null],
      [M.cy2, 'circle', '', M.cy3, LONG_BEFORE, AT_CLOSE], // ended at close: still in force
      [M.cy3, 'circle', '', M.cy1, LONG_BEFORE, null],
      [M.intoCycle, 'circle', '', M.cy2, LONG_BEFORE, null], // lost in the cycle
      [M.toAbsent, 'circle', '', M.late, LONG_BEFORE, null], // late voted after close: absent, so lost
      [M.dup, 'topic', 'budget', M.toAbsent, LONG_BEFORE, null], // lost behind toAbsent (absent when no topic)
      [M.rejoin, 'circle', '', M.leftLater, LONG_BEFORE, null],
      [M.retract, 'circle', '', M.y1, LONG_BEFORE, null],
      [M.leftBefore, 'circle', '', M.y1, LONG_BEFORE, null], // not eligible: ignored
    ];
    await ds.query(
      `INSERT INTO delegation (circle, member, scope_kind, scope_value, delegate, set_seq, set_at, ended_seq, ended_at)
       SELECT $1, m, sk, sv, dl, k, sa, CASE WHEN ea IS NULL THEN NULL ELSE 1000 + k END, ea
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[]) WITH ORDINALITY AS u(m, sk, sv, dl, sa, ea, k)`,
      [CIRCLE, d.map((r) => r[0]), d.map((r) => r[1]), d.map((r) => r[2]), d.map((r) => r[3]), d.map((r) => r[4]), d.map((r) => r[5])],
    );
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('agrees with tallyProposal over ProposalsRepository.tallyInputs (topic proposal)', async () => {
    const p = proposal('p-topic', 'budget');
    const loaded = await loadTallyArrays(ds, p);
    const ours = await tallyLoaded(ds, loaded);
    const theirs = tallyProposal({ proposal: p.id, kind: p.kind, regime: p.regime, params: p.params, topic: p.topic, ...(await repo().tallyInputs(p, p.closesAt)) });
    expect(ours).toEqual(theirs);

    // Members are indexed in no particular order, each once (dup has two membership rows), by
    // their number in the circle.
    const eligible = Object.values(M).filter((id) => ![M.leftBefore, M.joinedAfter].includes(id)).sort();
    const byNumber = await ids();
    expect(Array.from(loaded.numbers, (num) => byNumber.get(num)).sort()).toEqual(eligible);
    expect(loaded.input.choice).toHaveLength(eligible.length);
    // Rows read: votes and delegations in force, before eligibility (joinedAfter's vote, propOut's and leftBefore's delegations).
    expect(loaded.counts).toEqual({ eligible: 20, votes: 5, delegations: 19 });
    // Y: y1, c1, prop, retract; N: n1, leftLater, topic, propOut, rejoin; A: a1, c2, other.
    expect(ours.totals).toEqual({ E: 20, Y: 4, N: 5, A: 3, O: 0 });
    // lost: cy1-3, intoCycle, toAbsent, dup; absent: late, after.
    expect(ours.lost).toEqual({ weight: 6, cycles: [[M.cy1, M.cy2, M.cy3]] });
    expect(ours.absent).toBe(2);
  });

  it('agrees on a proposal without a topic (topic-scoped delegations cannot match)', async () => {
    const p = proposal('p-no-topic', null);
    const ours = await tally(ds, p);
    // tallyInputs' own stand-in for a null topic is a NUL character, which PostgreSQL refuses in
    // text; any topic no delegation names selects the same rows, and tallyProposal ignores topic
    // delegations when the topic is null.
    const inputs = await repo().tallyInputs({ ...p, topic: 'no topic names this' }, p.closesAt);
    const theirs = tallyProposal({ proposal: p.id, kind: p.kind, regime: p.regime, params: p.params, topic: null, ...inputs });
    expect(ours).toEqual(theirs);
    // topic: circle → y1 now; dup has no other delegation: absent.
    expect(ours.totals).toEqual({ E: 20, Y: 5, N: 4, A: 3, O: 0 });
    expect(ours.lost.weight).toBe(5);
    expect(ours.absent).toBe(3);
  });

  it('reads the state at an earlier instant when asked (as tallyInputs does)', async () => {
    const p = proposal('p-topic', 'budget');
    const at = CLOSES_AT - 30 * 60_000; // before the votes were recorded and before c2's replacement
    const ours = await tallyLoaded(ds, await loadTallyArrays(ds, p, at));
    const theirs = tallyProposal({ proposal: p.id, kind: p.kind, regime: p.regime, params: p.params, topic: p.topic, ...(await repo().tallyInputs(p, at)) });
    expect(ours).toEqual(theirs);
    expect(ours.totals.Y + ours.totals.N + ours.totals.A).toBe(0);
  });

  it('reads inside a transaction of the caller as well', async () => {
    const p = proposal('p-topic', 'budget');
    const outside = await tally(ds, p);
    await ds.transaction(async (m) => {
      expect(await tally(m, p)).toEqual(outside);
    });
    // An EntityManager outside any transaction (ds.manager) reads in a transaction of its own.
    expect(await tally(ds.manager, p)).toEqual(outside);
  });

  it('reads the eligible members from the snapshot kept at the opening, as runs of numbers, with the same result', async () => {
    const p = proposal('p-topic', 'budget');
    const scanned = await loadTallyArrays(ds, p);
    const before = await tallyLoaded(ds, scanned);
    try {
      // Below the threshold nothing is kept; at or above it, the distinct eligible members, once.
      expect(await snapshotPopulation(ds, p.id, 21)).toBe(0);
      expect(await ds.query(`SELECT 1 FROM proposal_population WHERE proposal = $1`, [p.id])).toHaveLength(0);
      expect(await snapshotPopulation(ds, p.id, 20)).toBe(20);
      expect(await snapshotPopulation(ds, p.id, 0)).toBe(0); // kept already: the first stays
      const stored = async (q: Pick<DataSource, 'query'>) =>
        ((await q.query(`SELECT octet_length(runs) / 8 AS runs, top, count FROM proposal_population WHERE proposal = $1`, [p.id])) as Array<{
          runs: number;
          top: number;
          count: number;
        }>)[0];
      // Numbers follow first joins, and the two members who are not eligible joined last: one run.
      expect(await stored(ds)).toEqual({ runs: 1, top: Math.max(...scanned.numbers), count: 20 });

      const kept = await loadTallyArrays(ds, p);
      expect(Array.from(kept.numbers).sort((a, b) => a - b)).toEqual(Array.from(scanned.numbers).sort((a, b) => a - b));
      expect(kept.counts).toEqual(scanned.counts);
      expect(await tallyLoaded(ds, kept)).toEqual(before);
      // The scan of the memberships is skipped: an eligible member whose membership row is
      // changed underneath is still counted from the snapshot.
      await ds.transaction(async (m) => {
        await m.query(`UPDATE circle_membership SET joined_seq = 99 WHERE circle = $1 AND member = $2`, [CIRCLE, M.y1]);
        expect((await tally(m, p)).totals).toEqual(before.totals);
        await m.query(`DELETE FROM proposal_population WHERE proposal = $1`, [p.id]);
        const rescanned = await tally(m, p);
        expect(rescanned.totals.E).toBe(19);
        // Gaps in the numbers (y1, the first member, no longer eligible, and a1, the third): two runs, the same tally.
        await m.query(`UPDATE circle_membership SET left_seq = 20 WHERE circle = $1 AND member = $2`, [CIRCLE, M.a1]);
        const gapped = await tally(m, p);
        expect(await snapshotPopulation(m, p.id, 0)).toBe(18);
        expect((await stored(m)).runs).toBe(2);
        expect(await tally(m, p)).toEqual(gapped);
        throw new Error('roll back');
      }).catch((e: Error) => expect(e.message).toBe('roll back'));
    } finally {
      await ds.query(`DELETE FROM proposal_population WHERE proposal = $1`, [p.id]);
    }
  });

  // The embedded database is one session: its data source has one connection, so there is never a second.
  (embeddedTestDatabase() ? it.skip : it)('reads the delegations on a second connection at a close, where the members were kept; alone when the pool has none to spare', async () => {
    const p = proposal('p-topic', 'budget');
    const alone = await tallyLoaded(ds, await loadTallyArrays(ds, p));
    let taken = 0;
    const side = async () => {
      const c = await sideConnectionOf(ds);
      if (c) taken++;
      return c;
    };
    // No snapshot (a small circle): one statement, no second connection asked for.
    expect(await tallyLoaded(ds, await loadTallyArrays(ds, p, p.closesAt, side))).toEqual(alone);
    expect(taken).toBe(0);
    try {
      await snapshotPopulation(ds, p.id, 0);
      await ds.transaction(async (m) => {
        expect(await tallyLoaded(m, await loadTallyArrays(m, p, p.closesAt, side))).toEqual(alone);
      });
      expect(taken).toBe(1);

      // Every connection of the pool (3) held: no second one within the wait, and the close reads alone.
      const held = await Promise.all([0, 1, 2].map(async () => {
        const runner = ds.createQueryRunner();
        await runner.connect();
        return runner;
      }));
      // (Had it waited for a connection, it would wait until the release below: the test would hang.)
      expect(await sideConnectionOf(ds)).toBeNull();
      await Promise.all(held.map((r) => r.release()));
      // The connection that came late was given back: the pool still lends all three.
      const again = await Promise.all([0, 1, 2].map(() => sideConnectionOf(ds)));
      expect(again.every((c) => c !== null)).toBe(true);
      await Promise.all(again.map((c) => c!.release()));
    } finally {
      await ds.query(`DELETE FROM proposal_population WHERE proposal = $1`, [p.id]);
    }
  });

  it('ignores a choice outside the list from a non-eligible member', async () => {
    const p = proposal('p-bad-outsider', null);
    const loaded = await loadTallyArrays(ds, p);
    expect(loaded.counts.votes).toBe(2);
    const inputs = await repo().tallyInputs({ ...p, topic: 'no topic names this' }, p.closesAt);
    const theirs = tallyProposal({ proposal: p.id, kind: p.kind, regime: p.regime, params: p.params, topic: null, ...inputs });
    expect(await tallyLoaded(ds, loaded)).toEqual(theirs);
    expect(theirs.totals).toMatchObject({ E: 20, Y: 4, N: 0 }); // y1 and those who delegate to her
  });

  it('refuses a choice outside the list from an eligible member, naming her', async () => {
    const p = proposal('p-bad', null);
    await expect(loadTallyArrays(ds, p)).rejects.toThrow(new RangeError(`choice of ${M.y1} is not one of yes, no, abstain`));
    await expect(repo().tallyInputs({ ...p, topic: 'none' }, p.closesAt).then((inputs) =>
      tallyProposal({ proposal: p.id, kind: p.kind, regime: p.regime, params: p.params, topic: null, ...inputs }),
    )).rejects.toThrow(RangeError);
    // Inside a transaction the error leaves it usable.
    await ds.transaction(async (m) => {
      await expect(loadTallyArrays(m, p)).rejects.toThrow(RangeError);
      await expect(m.query(`SELECT 1 AS one`)).resolves.toEqual([{ one: 1 }]);
    });
  });

  it('gives an empty circle an empty tally', async () => {
    const loaded = await loadTallyArrays(ds, { ...proposal('p-topic', 'budget'), circle: 'no-such-circle' });
    expect(loaded.counts.eligible).toBe(0);
    expect((await tallyLoaded(ds, loaded)).totals).toEqual({ E: 0, Y: 0, N: 0, A: 0, O: 0 });
  });

  it('numbers the members of a circle once each, in the order they first joined, and carries the numbers onto votes and delegations', async () => {
    const rows: Array<{ member: string; num: number; joined_seq: string }> = await ds.query(
      `SELECT member, num, joined_seq FROM circle_membership WHERE circle = $1 ORDER BY joined_seq, member`,
      [CIRCLE],
    );
    const byMember = new Map<string, Set<number>>();
    for (const r of rows) byMember.set(r.member, (byMember.get(r.member) ?? new Set()).add(r.num));
    // dup (two overlapping rows) and rejoin (left and came back) keep one number each.
    for (const [member, nums] of byMember) expect([member, nums.size]).toEqual([member, 1]);
    const numbers = [...byMember.values()].map((s) => [...s][0]);
    expect(new Set(numbers).size).toBe(Object.keys(M).length);
    expect(Math.min(...numbers)).toBe(0);
    expect(Math.max(...numbers)).toBe(Object.keys(M).length - 1);

    const unnumbered = await ds.query(
      `SELECT 'vote' AS t, member FROM vote v WHERE v.proposal LIKE 'p-%' AND member_num IS DISTINCT FROM
         (SELECT num FROM circle_membership c WHERE c.circle = $1 AND c.member = v.member LIMIT 1)
       UNION ALL
       SELECT 'delegation', member FROM delegation d WHERE d.circle = $1 AND (
         member_num IS DISTINCT FROM (SELECT num FROM circle_membership c WHERE c.circle = $1 AND c.member = d.member LIMIT 1) OR
         delegate_num IS DISTINCT FROM (SELECT num FROM circle_membership c WHERE c.circle = $1 AND c.member = d.delegate LIMIT 1))`,
      [CIRCLE],
    );
    expect(unnumbered).toEqual([]);
  });

  it('numbers new members after the others, one after another within one statement, and leaves outsiders unnumbered', async () => {
    const circle = 'c-numbers';
    await ds.query(`INSERT INTO circle (id, name, regime, params, genesis_leaf) VALUES ($1, 'c', 'amendment', '{}', '\\x00')`, [circle]);
    const join = (members: string[], seq: number) =>
      ds.query(`INSERT INTO circle_membership (circle, member, joined_seq) SELECT $1, m, $3 + k FROM unnest($2::text[]) WITH ORDINALITY AS u(m, k)`, [circle, members, seq]);
    await join([M.y1, M.n1, M.a1], 1);
    await ds.query(`UPDATE circle_membership SET left_seq = 10 WHERE circle = $1 AND member = $2`, [circle, M.n1]);
    await join([M.c1, M.n1, M.c2], 20); // n1 comes back with her number
    const nums = new Map<string, number>(
      ((await ds.query(`SELECT DISTINCT member, num FROM circle_membership WHERE circle = $1`, [circle])) as Array<{ member: string; num: number }>).map((r) => [r.member, r.num]),
    );
    expect(Object.fromEntries(nums)).toEqual({ [M.y1]: 0, [M.n1]: 1, [M.a1]: 2, [M.c1]: 3, [M.c2]: 4 });

    await ds.query(
      `INSERT INTO delegation (circle, member, scope_kind, scope_value, delegate, set_seq, set_at)
       VALUES ($1, $2, 'circle', '', $3, 30, $5), ($1, $4, 'circle', '', $2, 31, $5)`,
      [circle, M.c1, 'not-a-member', 'outsider', BEFORE],
    );
    const delegations = await ds.query(`SELECT member, member_num, delegate_num FROM delegation WHERE circle = $1 ORDER BY set_seq`, [circle]);
    expect(delegations).toEqual([
      { member: M.c1, member_num: 3, delegate_num: null },
      { member: 'outsider', member_num: null, delegate_num: 3 },
    ]);
    await ds.query(
      `INSERT INTO proposal (id, circle, opened_seq, opened_at, opened_by, kind, title, text, topic, regime, params, closes_at, body)
       VALUES ('p-numbers', $1, 25, $2, $3, 'motion', 't', 'x', NULL, 'amendment', $4, $5, '{}')`,
      [circle, LONG_BEFORE, M.y1, JSON.stringify(DEFAULT_PARAMS), AT_CLOSE],
    );
    await ds.query(
      `INSERT INTO vote (proposal, member, choice, seq, recorded_at) VALUES ('p-numbers', $1, 'yes', 40, $3), ('p-numbers', $2, 'no', 41, $3)`,
      [M.c2, 'outsider', BEFORE],
    );
    expect(await ds.query(`SELECT member, member_num FROM vote WHERE proposal = 'p-numbers' ORDER BY seq`)).toEqual([
      { member: M.c2, member_num: 4 },
      { member: 'outsider', member_num: null },
    ]);
    // The outsider's vote and delegation count for nothing; c1's delegation to a non-member leaves her absent.
    const p = { ...proposal('p-numbers', null), circle, openedSeq: 25 };
    const loaded: LoadedTallyArrays = await loadTallyArrays(ds, p);
    expect(loaded.counts).toEqual({ eligible: 5, votes: 1, delegations: 1 });
    expect((await tallyLoaded(ds, loaded)).totals).toEqual({ E: 5, Y: 1, N: 0, A: 0, O: 0 });
  });
});
