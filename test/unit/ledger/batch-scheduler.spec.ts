// The writer's batch scheduler on its own (src/ledger/batch-scheduler.ts): lanes, order within a
// lane, system items opening their lane's part of a batch, the batch size, and extra committers.
import fc from 'fast-check';
import { BatchScheduler, type Schedulable } from '../../../src/ledger/batch-scheduler';

type Item = Schedulable & { id: number };

/** A scheduler whose batches finish only when the test says so. */
function harness(options: { maxBatch?: number; committers?: number; extraCommitterAfterMs?: number } = {}) {
  let clock = 0;
  const batches: Item[][] = [];
  const finish: Array<() => void> = [];
  const scheduler = new BatchScheduler<Item>(
    { maxBatch: options.maxBatch ?? 256, committers: options.committers ?? 1, extraCommitterAfterMs: options.extraCommitterAfterMs ?? 50, now: () => clock },
    (batch) =>
      new Promise<void>((resolve) => {
        batches.push(batch);
        finish.push(resolve);
      }),
  );
  const settle = () => new Promise((r) => setImmediate(r));
  return {
    scheduler,
    batches,
    tick: (ms: number) => (clock += ms),
    async finishBatch(i: number) {
      finish[i]();
      await settle();
    },
    ids: (i: number) => batches[i].map((x) => x.id),
  };
}

describe('BatchScheduler', () => {
  it('starts a batch at once, then gathers what arrives meanwhile into the next', async () => {
    const h = harness();
    h.scheduler.enqueue({ id: 1, lane: 'a' });
    h.scheduler.enqueue({ id: 2, lane: 'b' });
    h.scheduler.enqueue({ id: 3, lane: 'c' });
    expect(h.batches).toHaveLength(1);
    expect(h.ids(0)).toEqual([1]);
    await h.finishBatch(0);
    expect(h.ids(1)).toEqual([2, 3]);
  });

  it('keeps a lane held while its batch runs, and keeps order within a lane', async () => {
    const h = harness({ committers: 2, extraCommitterAfterMs: 0 });
    h.scheduler.enqueue({ id: 1, lane: 'a' });
    h.scheduler.enqueue({ id: 2, lane: 'a' });
    h.scheduler.enqueue({ id: 3, lane: 'b' });
    // batch 0 holds lane a; the second committer takes only lane b (2 waits behind lane a)
    expect(h.ids(0)).toEqual([1]);
    expect(h.ids(1)).toEqual([3]);
    await h.finishBatch(0);
    expect(h.ids(2)).toEqual([2]);
  });

  it('lets a system item open its lane, unless it is independent of the batch', async () => {
    const h = harness();
    h.scheduler.enqueue({ id: 0, lane: 'z' });
    h.scheduler.enqueue({ id: 1, lane: 'a' });
    h.scheduler.enqueue({ id: 2, lane: 'a', system: true });
    h.scheduler.enqueue({ id: 3, lane: 'a', system: true, independentOfBatch: true });
    h.scheduler.enqueue({ id: 4, lane: 'b' });
    await h.finishBatch(0);
    // 2 may not follow 1 in one batch; so 3 and everything after in lane a waits too
    expect(h.ids(1)).toEqual([1, 4]);
    await h.finishBatch(1);
    expect(h.ids(2)).toEqual([2, 3]);
  });

  it('cuts batches at maxBatch', async () => {
    const h = harness({ maxBatch: 3 });
    h.scheduler.enqueue({ id: 0, lane: 'x' });
    for (let i = 1; i <= 7; i++) h.scheduler.enqueue({ id: i, lane: `l${i}` });
    await h.finishBatch(0);
    expect(h.ids(1)).toEqual([1, 2, 3]);
    await h.finishBatch(1);
    expect(h.ids(2)).toEqual([4, 5, 6]);
  });

  it('starts a second committer only once the running batch has taken extraCommitterAfterMs', async () => {
    jest.useFakeTimers();
    try {
      const h = harness({ committers: 2, extraCommitterAfterMs: 50 });
      h.scheduler.enqueue({ id: 1, lane: 'a' });
      h.scheduler.enqueue({ id: 2, lane: 'b' });
      expect(h.batches).toHaveLength(1);
      h.tick(50);
      jest.advanceTimersByTime(50);
      expect(h.batches).toHaveLength(2);
      expect(h.ids(1)).toEqual([2]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('property: every item runs exactly once, each lane in order, never two batches of one lane at once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ lane: fc.constantFrom('a', 'b', 'c', 'd'), system: fc.boolean(), independentOfBatch: fc.boolean() }), { maxLength: 40 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 5 }),
        async (items, committers, maxBatch) => {
          const seen: number[] = [];
          const busy = new Set<string>();
          const scheduler = new BatchScheduler<Item>({ maxBatch, committers, extraCommitterAfterMs: 0, now: () => 0 }, async (batch) => {
            const lanes = new Set(batch.map((x) => x.lane));
            for (const lane of lanes) {
              expect(busy.has(lane)).toBe(false);
              busy.add(lane);
            }
            await new Promise((r) => setImmediate(r));
            for (const x of batch) seen.push(x.id);
            for (const lane of lanes) busy.delete(lane);
          });
          items.forEach((x, id) => scheduler.enqueue({ ...x, id }));
          while (scheduler.waiting > 0 || scheduler.runningBatches > 0) await new Promise((r) => setImmediate(r));
          expect([...seen].sort((a, b) => a - b)).toEqual(items.map((_, i) => i));
          for (const lane of ['a', 'b', 'c', 'd']) {
            const order = seen.filter((id) => items[id].lane === lane);
            expect(order).toEqual([...order].sort((a, b) => a - b));
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
