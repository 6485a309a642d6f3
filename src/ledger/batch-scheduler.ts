// Which waiting statements the writer appends together, and when (group commit; SPEC §3.5 leaves
// the order within a log to the instance, as long as each log is written by one writer at a time).
// Pure scheduling, no database: the writer gives it a `run` function that commits one batch.
//
// - A batch takes the oldest waiting items whose lanes (logs) no running batch holds, up to
//   `maxBatch`; within a lane, items keep their order: once one is passed over, so are the rest.
// - A system item opens its lane's part of a batch unless it is `independentOfBatch`: it is composed
//   from the state committed before the batch, so nothing of the batch may stand before it in its
//   log (a `regime.changed` must follow from exactly the entries before it, as a verifier replays).
// - Up to `committers` batches run at once; while one runs, another starts only once every running
//   one has taken `extraCommitterAfterMs`, so a steady load gathers into larger batches (fewer
//   transactions), and a slow batch still cannot hold up the other logs for longer than that.

export interface Schedulable {
  /** The log whose writer serializes this item. */
  lane: string;
  system?: boolean;
  independentOfBatch?: boolean;
}

export interface SchedulerOptions {
  maxBatch: number;
  committers: number;
  extraCommitterAfterMs: number;
  /** Milliseconds, monotonic (performance.now in production). */
  now?: () => number;
}

export class BatchScheduler<T extends Schedulable> {
  /** Waiting items, oldest first, across all lanes. */
  private readonly pending: T[] = [];
  /** Lanes some running batch holds: their later items wait. */
  private readonly held = new Set<string>();
  private active = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The running batches' start times. */
  private readonly running = new Map<object, number>();
  private readonly now: () => number;

  constructor(
    private readonly options: SchedulerOptions,
    private readonly run: (batch: T[]) => Promise<void>,
  ) {
    this.now = options.now ?? (() => performance.now());
  }

  get waiting(): number {
    return this.pending.length;
  }

  get runningBatches(): number {
    return this.active;
  }

  enqueue(item: T): void {
    this.pending.push(item);
    this.pump();
  }

  private pump(): void {
    while (this.active < this.options.committers) {
      if (this.active > 0 && !this.extraCommitterDue()) return;
      const batch = this.take();
      if (!batch.length) return;
      this.active++;
      const token = {};
      this.running.set(token, this.now());
      void this.run(batch).finally(() => {
        for (const item of batch) this.held.delete(item.lane);
        this.running.delete(token);
        this.active--;
        this.pump();
      });
    }
  }

  /** Whether every running batch has run long enough; if not, look again when it has. */
  private extraCommitterDue(): boolean {
    if (!this.pending.length) return false;
    const ran = this.now() - Math.max(...this.running.values());
    if (ran >= this.options.extraCommitterAfterMs) return true;
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, this.options.extraCommitterAfterMs - ran);
      this.timer.unref?.();
    }
    return false;
  }

  /** The next batch (see the rules above); its lanes become held. */
  private take(): T[] {
    const batch: T[] = [];
    const inBatch = new Set<string>();
    const passed = new Set<string>();
    const rest: T[] = [];
    for (const item of this.pending) {
      const takes =
        batch.length < this.options.maxBatch &&
        !passed.has(item.lane) &&
        !this.held.has(item.lane) &&
        !(item.system && !item.independentOfBatch && inBatch.has(item.lane));
      if (takes) {
        batch.push(item);
        inBatch.add(item.lane);
      } else {
        passed.add(item.lane);
        rest.push(item);
      }
    }
    if (!batch.length) return batch;
    this.pending.length = 0;
    this.pending.push(...rest);
    for (const item of batch) this.held.add(item.lane);
    return batch;
  }
}
