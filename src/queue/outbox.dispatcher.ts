import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { OutboxRepository } from './outbox.repository';
import { QueueService } from './queue.service';

/**
 * Moves committed outbox rows into BullMQ. `kick()` runs right after a commit; a periodic sweep
 * (worker process) catches whatever a crash between commit and enqueue left behind. Enqueueing is
 * idempotent (natural job ids), so dispatching a row twice is harmless.
 */
@Injectable()
export class OutboxDispatcher implements OnApplicationShutdown {
  private readonly logger = new Logger('Outbox');
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly queues: QueueService,
  ) {}

  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((e) => this.logger.warn(`Dispatch deferred to the next sweep: ${(e as Error).message}`))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Wait for the dispatch in progress (tests, shutdown). */
  async settle(): Promise<void> {
    while (this.running) await this.running;
  }

  startSweeping(intervalMs: number): void {
    this.timer = setInterval(() => this.kick(), intervalMs);
    this.timer.unref();
    this.kick();
  }

  /** After Redis may have lost jobs: dispatch again every row whose job has not completed. */
  async redispatchUnfinished(): Promise<number> {
    const count = await this.outbox.redispatchUnfinished();
    if (count) this.kick();
    return count;
  }

  /** A job finished: its outbox rows will not be dispatched again. */
  completed(jobId: string): Promise<void> {
    return this.outbox.markCompleted(jobId);
  }

  async drain(): Promise<void> {
    for (;;) {
      const rows = await this.outbox.pending(500);
      if (!rows.length) return;
      for (const row of rows) await this.queues.enqueue(row.item, row.runAt);
      await this.outbox.markDispatched(rows.map((r) => r.id));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.settle();
  }
}
