/**
 * Runs items in manifest order with two limits: `concurrency` jobs on the server (a slot is
 * given back as soon as the job is seen finished, so the next submit overlaps this one's
 * download and bookkeeping), and twice that many entries alive in all, so that slow downloads
 * cannot pile up. `work` reports its own failures (it never throws); `stop()` is checked before
 * each new item: Ctrl-C and --fail-fast stop the taking, never the jobs already in flight.
 */
export class Semaphore {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  /** Resolves with a release function that is safe to call more than once. */
  async acquire(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}

export type Work<T> = (item: T, releaseSlot: () => void) => Promise<void>;

export async function runPool<T>(
  items: readonly T[],
  concurrency: number,
  work: Work<T>,
  stop: () => boolean = () => false,
): Promise<void> {
  const slots = new Semaphore(Math.max(1, concurrency));
  const alive = new Semaphore(Math.max(1, concurrency) * 2);
  const running: Promise<void>[] = [];
  for (const item of items) {
    if (stop()) break;
    const releaseAlive = await alive.acquire();
    const releaseSlot = await slots.acquire();
    // Stop may have been asked while we waited for room.
    if (stop()) {
      releaseSlot();
      releaseAlive();
      break;
    }
    running.push(
      work(item, releaseSlot).finally(() => {
        releaseSlot();
        releaseAlive();
      }),
    );
  }
  await Promise.all(running);
}
