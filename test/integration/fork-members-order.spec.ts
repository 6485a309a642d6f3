// SPEC §7: the members a fork takes (ProposalsRepository.directVotersStillMembers, which the fork's
// `circle.forked` and `circle.split` list) come in plain code-unit order of their ids, as the log
// replay sorts them (core/verify/replay.ts), whatever the collation of the database. Member ids are
// base64url: mixed case, '-' and '_', which a linguistic collation orders otherwise. The test
// database is created in C.UTF-8, so the columns read here are given an ICU collation, as a
// database created under a linguistic locale would have.
import { DataSource } from 'typeorm';
import { openDataSource } from '../../src/database/data-source';
import { DEFAULT_PARAMS } from '../../src/core/governance/params';
import { compareIds } from '../../src/core/governance/resolve';
import { ProposalsRepository, type ProposalRow } from '../../src/proposals/proposals.repository';
import { createTestDatabase, TestDatabase } from '../support/database';
import { embeddedTestDatabase } from '../support/database-urls';

const CIRCLE = 'c-fork-order';
const CLOSES_AT = Date.parse('2026-03-01T12:00:00.000Z');
// Code-unit order: 'Ab' < 'Z_' < '_a' < 'a-b' < 'aB'; a linguistic order puts them otherwise.
const LEAVERS = ['aB', '_a', 'Z_', 'a-b', 'Ab'];

const describeWithIcu = embeddedTestDatabase() ? describe.skip : describe;

describeWithIcu('fork members', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource({ url: db.url, poolSize: 2, embedded: false });
    for (const [table, column] of [['vote', 'member'], ['circle_membership', 'member']]) {
      await ds.query(`ALTER TABLE ${table} ALTER COLUMN ${column} TYPE text COLLATE "und-x-icu"`);
    }
    await ds.query(`INSERT INTO member (id, name, jwk, registry_seq) SELECT id, id, '{"kty":"OKP"}'::jsonb, k FROM unnest($1::text[]) WITH ORDINALITY AS u(id, k)`, [
      [...LEAVERS, 'stays'],
    ]);
    await ds.query(`INSERT INTO circle (id, name, regime, params, genesis_leaf) VALUES ($1, 'c', 'split', '{}', '\\x00')`, [CIRCLE]);
    await ds.query(`INSERT INTO circle_membership (circle, member, joined_seq) SELECT $1, m, k FROM unnest($2::text[]) WITH ORDINALITY AS u(m, k)`, [
      CIRCLE,
      [...LEAVERS, 'stays'],
    ]);
    await ds.query(
      `INSERT INTO proposal (id, circle, opened_seq, opened_at, opened_by, kind, title, text, topic, regime, params, closes_at, body)
       VALUES ('p-split', $1, 10, $2, 'stays', 'split', 't', 'x', NULL, 'split', $3, $4, '{"name":"n"}')`,
      [CIRCLE, new Date(CLOSES_AT - 60_000).toISOString(), JSON.stringify(DEFAULT_PARAMS), new Date(CLOSES_AT).toISOString()],
    );
    await ds.query(
      `INSERT INTO vote (proposal, member, choice, seq, recorded_at) SELECT 'p-split', m, c, 10 + k, $3 FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(m, c, k)`,
      [[...LEAVERS, 'stays'], [...LEAVERS.map(() => 'leave'), 'stay'], new Date(CLOSES_AT - 1000).toISOString()],
    );
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('are listed in code-unit order under a linguistic collation', async () => {
    const [{ icu }] = await ds.query(`SELECT array_agg(m ORDER BY m COLLATE "und-x-icu") AS icu FROM unnest($1::text[]) AS u(m)`, [LEAVERS]);
    const sorted = [...LEAVERS].sort(compareIds);
    expect(icu).not.toEqual(sorted); // the collation does order them otherwise
    const p = { id: 'p-split', circle: CIRCLE, closesAt: CLOSES_AT } as ProposalRow;
    expect(await new ProposalsRepository(ds).directVotersStillMembers(p, 'leave')).toEqual(sorted);
  });
});
