import { describe, expect, it } from 'vitest';
import { runPool, Semaphore } from '../../src/core/batch/pool.js';

/** A promise with its resolve, to drive work step by step without timers. */
function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('Semaphore', () => {
  it('hands out at most its size; release is idempotent and wakes waiters in order', async () => {
    const s = new Semaphore(2);
    const a = await s.acquire();
    await s.acquire();
    const order: number[] = [];
    const c = s.acquire().then((r) => {
      order.push(3);
      return r;
    });
    const d = s.acquire().then(() => order.push(4));
    await tick();
    expect(order).toEqual([]);
    a();
    a();
    await tick();
    expect(order).toEqual([3]);
    (await c)();
    await d;
    expect(order).toEqual([3, 4]);
  });
});

describe('runPool', () => {
  it('keeps `concurrency` slots, in manifest order; a slot given back early lets the next start while the first finishes', async () => {
    const started: number[] = [];
    const gates = Array.from({ length: 6 }, () => ({ job: deferred(), rest: deferred() }));
    const done = runPool([0, 1, 2, 3, 4, 5], 2, async (i, releaseSlot) => {
      started.push(i);
      await gates[i]!.job.promise;
      releaseSlot();
      await gates[i]!.rest.promise;
    });
    await tick();
    expect(started).toEqual([0, 1]);
    gates[0]!.job.resolve();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    // Slots: 1 and 2 busy. Alive: 0, 1, 2 (limit 4).
    gates[1]!.job.resolve();
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    // Alive is now 4 (0..3): finishing a job frees a slot but not room for a fifth entry.
    gates[2]!.job.resolve();
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    gates[0]!.rest.resolve();
    await tick();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    for (const g of gates) {
      g.job.resolve();
      g.rest.resolve();
    }
    await done;
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('stop() ends the taking, not the work in flight', async () => {
    let stop = false;
    const finished: number[] = [];
    await runPool(
      [0, 1, 2, 3],
      1,
      async (i) => {
        if (i === 1) stop = true;
        await tick();
        finished.push(i);
      },
      () => stop,
    );
    expect(finished).toEqual([0, 1]);
  });
});
