// The writer's transaction (src/database/pipelined-transaction.ts) against PostgreSQL: COMMIT sent
// in the same flight as the writes commits them all or none; a query issued after it is refused
// before it reaches the server; and the check a COMMIT in flight cannot make in the service (a
// proposal closed twice) is made by the database.
import { DataSource } from 'typeorm';
import { openDataSource } from '../../src/database/data-source';
import { pipelinedTransaction } from '../../src/database/pipelined-transaction';
import { createTestDatabase, TestDatabase } from '../support/database';
import { embeddedTestDatabase } from '../support/database-urls';

describe('pipelined transaction', () => {
  let db: TestDatabase;
  let ds: DataSource;
  const pipeline = !embeddedTestDatabase();
  const insert = `INSERT INTO remote_child (parent, child, seq) VALUES ($1, $2, $3)`;
  const children = async (parent: string) =>
    ((await ds.query(`SELECT child FROM remote_child WHERE parent = $1 ORDER BY seq`, [parent])) as Array<{ child: string }>).map((r) => r.child);

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource({ url: db.url, poolSize: 2, embedded: embeddedTestDatabase() });
    await ds.query(`INSERT INTO circle (id, name, regime, params, genesis_leaf) VALUES ('c-pt', 'Pipelined', 'amendment', '{}', '\\x00')`);
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('commits the writes sent together with COMMIT', async () => {
    const result = await pipelinedTransaction(ds, pipeline, async (m, commit) => {
      const writes = [m.query(insert, ['c-pt', 'a@x.example', 1]), m.query(insert, ['c-pt', 'b@x.example', 2])];
      await Promise.all([...writes, commit()]);
      return 'done';
    });
    expect(result).toBe('done');
    expect(await children('c-pt')).toEqual(['a@x.example', 'b@x.example']);
  });

  it('writes nothing when one write of the flight fails: COMMIT answers ROLLBACK', async () => {
    const run = pipelinedTransaction(ds, pipeline, async (m, commit) => {
      const writes = [m.query(insert, ['c-pt', 'c@x.example', 3]), m.query(insert, ['no-such-circle', 'd@x.example', 4]), m.query(insert, ['c-pt', 'e@x.example', 5])];
      const committed = commit();
      await Promise.all([...writes, committed]);
    });
    await expect(run).rejects.toThrow(/foreign key/);
    expect(await children('c-pt')).toEqual(['a@x.example', 'b@x.example']);
  });

  it('refuses a query issued after COMMIT, before it reaches the server', async () => {
    let late: unknown;
    await pipelinedTransaction(ds, pipeline, async (m, commit) => {
      const write = m.query(insert, ['c-pt', 'f@x.example', 6]);
      const committed = commit();
      try {
        void m.query(insert, ['c-pt', 'g@x.example', 7]);
      } catch (error) {
        late = error;
      }
      await Promise.all([write, committed]);
    });
    expect(String(late)).toMatch(/after COMMIT would run outside the transaction/);
    expect(await children('c-pt')).toEqual(['a@x.example', 'b@x.example', 'f@x.example']);
  });

  it('commits once the work has resolved when it does not commit itself, and rolls back when it throws', async () => {
    await pipelinedTransaction(ds, pipeline, async (m) => {
      await m.query(insert, ['c-pt', 'h@x.example', 8]);
    });
    await expect(
      pipelinedTransaction(ds, pipeline, async (m) => {
        await m.query(insert, ['c-pt', 'i@x.example', 9]);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await children('c-pt')).toEqual(['a@x.example', 'b@x.example', 'f@x.example', 'h@x.example']);
  });

  it('the database refuses to close a proposal twice (trigger proposal_closed_once)', async () => {
    await ds.query(
      `INSERT INTO proposal (id, circle, opened_seq, opened_at, opened_by, kind, title, text, topic, regime, params, closes_at, amendments_close_at, body)
       VALUES ('p-pt', 'c-pt', 1, now(), 'm', 'motion', 'T', 'text', NULL, 'amendment', '{}', now(), NULL, '{}')`,
    );
    const close = (seq: number) =>
      pipelinedTransaction(ds, pipeline, async (m, commit) => {
        await Promise.all([m.query(`UPDATE proposal SET result = $2, closed_seq = $3 WHERE id = $1`, ['p-pt', JSON.stringify({ outcome: 'adopted' }), seq]), commit()]);
      });
    await close(5);
    await expect(close(6)).rejects.toThrow(/proposal p-pt was already closed/);
    const [row] = await ds.query(`SELECT closed_seq FROM proposal WHERE id = 'p-pt'`);
    expect(Number(row.closed_seq)).toBe(5);
  });
});
