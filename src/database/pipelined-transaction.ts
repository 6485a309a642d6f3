// A transaction whose queries are pipelined (the pg client's `pipeline` mode): queries issued
// without awaiting the previous one go out together and are answered in order, so a writer batch
// pays one round trip for several independent statements instead of one each. Each query keeps its
// own Sync, so an error fails that query, and the transaction is then aborted: every later query
// fails too, and COMMIT would only roll back (which is checked). Order on the wire is call order.
import type { Writable } from 'node:stream';
import type { PoolClient, QueryResult } from 'pg';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import type { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';

type PipelinedClient = PoolClient & { pipeline: boolean };

/**
 * Sends COMMIT now, behind the queries already issued, in the same flight when pipelined; resolves
 * once PostgreSQL answered COMMIT (it throws when the transaction was aborted, or when a query of
 * the transaction failed without reaching PostgreSQL). Any query issued after it is refused: it
 * would run outside the transaction.
 */
export type CommitNow = () => Promise<void>;

/**
 * Run `work` in one READ COMMITTED transaction (the sessions' default, see data-source.ts) on a
 * connection of the data source's pool. `work` gets an EntityManager whose `query` returns what
 * TypeORM's does (rows; `[rows, count]` for UPDATE and DELETE; a QueryFailedError on failure) but
 * sends each query at once, so calls made before awaiting any of them share a round trip. Any
 * other method of the manager is TypeORM's, on the same connection.
 *
 * `work` may call `commit` once it has issued its last query, before awaiting their answers: the
 * COMMIT then leaves with them, and the transaction costs one round trip less. A query that fails
 * aborts the transaction, so COMMIT answers ROLLBACK and `commit` throws; that is why nothing may
 * read a query's answer to decide whether to commit (a check that must hold goes in the SQL).
 * `query` issues its query before it returns and throws synchronously after `commit`. Without a
 * call to `commit`, COMMIT is sent once `work` has resolved.
 *
 * With `pipeline` false (the embedded PGlite), the queries are sent one after the other in call
 * order, unnamed: same results, one round trip each. (PGlite is one session behind every
 * connection, so a statement a closed connection prepared is still there: naming it again on a new
 * connection fails with "prepared statement already exists".)
 */
export async function pipelinedTransaction<T>(ds: DataSource, pipeline: boolean, work: (m: EntityManager, commit: CommitNow) => Promise<T>): Promise<T> {
  const runner = ds.createQueryRunner('master') as PostgresQueryRunner;
  const client = (await runner.connect()) as PipelinedClient;
  let tail: Promise<unknown> = Promise.resolve();
  const stream = (client as unknown as { connection: { stream: Writable } }).connection.stream;
  let corked = false;
  /** Queries of the transaction that failed (an aborted transaction cannot commit; see `committed`). */
  let failures = 0;
  let committing = null as Promise<void> | null; // set by `commit`, in a closure
  const send = (sql: string, params?: unknown[]): Promise<QueryResult> => {
    const run = () =>
      (client.query(params?.length && pipeline ? { text: sql, values: params, name: statementName(sql) } : sql, params) as Promise<QueryResult>).catch((error: unknown) => {
        failures++;
        throw new QueryFailedError(sql, params, error as Error);
      });
    if (pipeline) {
      // The queries issued in one go leave in one write: one system call, not one per query.
      if (!corked) {
        corked = true;
        stream.cork();
        process.nextTick(() => {
          corked = false;
          stream.uncork();
        });
      }
      return run();
    }
    const next = tail.then(run);
    tail = next.catch(() => undefined);
    return next;
  };
  const committed = async (answer: Promise<QueryResult>) => {
    const { command } = await answer;
    // COMMIT of an aborted transaction answers ROLLBACK, without an error.
    if (command !== 'COMMIT') throw new Error(`Transaction rolled back (${command})`);
    // Answered COMMIT, yet a query failed: it never reached PostgreSQL (the client refused its
    // parameters), so the transaction committed without it. Say so; it is a bug to fix.
    if (failures) throw new Error(`Transaction committed without ${failures} of its queries, which failed before reaching PostgreSQL`);
  };
  const commit: CommitNow = () => (committing ??= committed(send('COMMIT')));
  const issue = (sql: string, params?: unknown[]): Promise<QueryResult> => {
    if (committing) throw new Error(`A query issued after COMMIT would run outside the transaction: ${sql.slice(0, 60)}`);
    return send(sql, params);
  };
  const m = Object.create(runner.manager) as EntityManager;
  Object.defineProperty(m, 'query', { value: (sql: string, params?: unknown[]) => issue(sql, params).then(typeormShape) });

  client.pipeline = pipeline;
  try {
    const begin = send('BEGIN');
    // A failed BEGIN fails every query behind it as well; the first failure is reported.
    begin.catch(() => undefined);
    let result: T;
    try {
      result = await work(m, commit);
      await begin;
      await commit();
    } catch (error) {
      // The work's own failure is the one reported, not a COMMIT it did not wait for.
      committing?.catch(() => undefined);
      // Whatever was answered, no transaction is left open. A dead connection is dropped from the
      // pool by TypeORM's error listener, as in ds.transaction.
      await send('ROLLBACK').catch(() => undefined);
      throw error;
    }
    return result;
  } finally {
    // Every query sent has been answered by now (ROLLBACK or COMMIT came back after them).
    client.pipeline = false;
    await runner.release();
  }
}

/**
 * The writer's queries are named prepared statements: each connection parses a text once, and
 * PostgreSQL plans it once it has settled on a generic plan (all of them index lookups by key; on
 * bench:ingest this took about a fifth off PostgreSQL's CPU per statement). The texts are the
 * repositories' constants; past MAX_NAMES distinct texts (one built per call would be a bug), the
 * rest stay unnamed rather than fill every connection's statement cache.
 */
const MAX_NAMES = 200;
const names = new Map<string, string>();
function statementName(sql: string): string | undefined {
  let name = names.get(sql);
  if (!name && names.size < MAX_NAMES) names.set(sql, (name = `archipel_w${names.size}`));
  return name;
}

function typeormShape(raw: QueryResult): unknown {
  return raw.command === 'UPDATE' || raw.command === 'DELETE' ? [raw.rows, raw.rowCount] : raw.rows;
}
