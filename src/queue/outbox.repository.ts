import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { JobItem, naturalJobId } from './job-catalogue';

export interface OutboxRow {
  id: string;
  item: JobItem;
  runAt: number;
}

/** Jobs recorded in the transaction that justifies them (transactional outbox). */
@Injectable()
export class OutboxRepository {
  constructor(private readonly ds: DataSource) {}

  /** Issued before it returns (not async: a mistake here throws before the writer's COMMIT is sent). */
  add(manager: EntityManager, items: Array<{ item: JobItem; runAt: number }>): Promise<unknown> {
    if (!items.length) return Promise.resolve();
    return manager.query(
      `INSERT INTO job_outbox (name, job_id, payload, run_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::timestamptz[])`,
      [
        items.map((i) => i.item.name),
        items.map((i) => naturalJobId(i.item)),
        items.map((i) => JSON.stringify(i.item.payload)),
        items.map((i) => new Date(i.runAt).toISOString()),
      ],
    );
  }

  async pending(limit: number): Promise<OutboxRow[]> {
    const rows: Array<{ id: string; name: string; payload: unknown; run_at: Date }> = await this.ds.query(
      `SELECT id, name, payload, run_at FROM job_outbox WHERE dispatched_at IS NULL ORDER BY id LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ id: r.id, item: { name: r.name, payload: r.payload } as JobItem, runAt: r.run_at.getTime() }));
  }

  async markDispatched(ids: string[]): Promise<void> {
    if (ids.length) await this.ds.query(`UPDATE job_outbox SET dispatched_at = now() WHERE id = ANY($1::bigint[])`, [ids]);
  }

  /** The job of this natural id has completed: its rows are done for good. */
  async markCompleted(jobId: string): Promise<void> {
    await this.ds.query(`UPDATE job_outbox SET completed_at = now() WHERE job_id = $1 AND completed_at IS NULL`, [jobId]);
  }

  /**
   * Deletes rows whose job completed more than `days` ago, `batch` at a time (short transactions:
   * writers insert into this table all along). Unfinished rows are never touched. Returns how many.
   */
  async pruneCompleted(days: number, batch = 10_000): Promise<number> {
    let deleted = 0;
    for (;;) {
      const [, count]: [unknown[], number] = await this.ds.query(
        `DELETE FROM job_outbox WHERE id IN (
           SELECT id FROM job_outbox WHERE completed_at < now() - make_interval(secs => $1::float8 * 86400) LIMIT $2)`,
        [days, batch],
      );
      deleted += count;
      if (count < batch) return deleted;
    }
  }

  /**
   * Rows dispatched whose job has not completed go back to pending: Redis may have lost them (an
   * empty restart). Natural job ids make dispatching a job that still exists a no-op.
   */
  async redispatchUnfinished(): Promise<number> {
    const [, count]: [unknown[], number] = await this.ds.query(
      `UPDATE job_outbox SET dispatched_at = NULL WHERE completed_at IS NULL AND dispatched_at IS NOT NULL`,
    );
    return count;
  }
}
