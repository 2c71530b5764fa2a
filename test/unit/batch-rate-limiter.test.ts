/** The submit gate on a fake clock: the waits themselves are asserted, not just the count. */
import { describe, expect, it } from 'vitest';
import { SubmitGate, waitTime, WINDOW_MS } from '../../src/core/batch/rate-limiter.js';

function fakeClock() {
  const clock = { now: 0, sleeps: [] as number[] };
  const sleep = async (ms: number, signal?: AbortSignal) => {
    if (signal?.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortError' });
    clock.sleeps.push(ms);
    clock.now += ms;
  };
  return { clock, sleep, now: () => clock.now };
}

describe('waitTime', () => {
  it.each([
    { recent: [], now: 0, rpm: 2, paused: 0, wait: 0 },
    { recent: [0], now: 10, rpm: 2, paused: 0, wait: 0 },
    { recent: [0, 5], now: 10, rpm: 2, paused: 0, wait: WINDOW_MS - 10 },
    { recent: [0, 5, 30_000], now: 40_000, rpm: 2, paused: 0, wait: 5 + WINDOW_MS - 40_000 },
    { recent: [0, 5], now: 60_001, rpm: 2, paused: 0, wait: 0 },
    { recent: [0, 5], now: 10, rpm: 0, paused: 0, wait: 0 },
    { recent: [], now: 100, rpm: 0, paused: 1_100, wait: 1_000 },
    { recent: [0, 5], now: 10, rpm: 2, paused: 90_000, wait: 89_990 },
  ])('$recent at $now with rpm $rpm, paused until $paused: wait $wait', ({ recent, now, rpm, paused, wait }) => {
    expect(waitTime(recent, now, rpm, paused)).toBe(wait);
  });
});

describe('SubmitGate', () => {
  it('lets at most rpm submits into any minute, in arrival order', async () => {
    const { clock, sleep, now } = fakeClock();
    const gate = new SubmitGate({ rpm: 3, now, sleep });
    const times: number[] = [];
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        gate.acquire().then(() => {
          times.push(clock.now);
          order.push(i);
        }),
      ),
    );
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(times).toEqual([0, 0, 0, 60_000, 60_000, 60_000, 120_000]);
    for (let i = 0; i < times.length; i++) {
      expect(times.filter((t) => t > times[i]! - WINDOW_MS && t <= times[i]!).length).toBeLessThanOrEqual(3);
    }
  });

  it('no cap: never waits', async () => {
    const { clock, sleep, now } = fakeClock();
    const gate = new SubmitGate({ rpm: 0, now, sleep });
    for (let i = 0; i < 100; i++) await gate.acquire();
    expect(clock.sleeps).toEqual([]);
  });

  it('a 429 pause holds every waiting submit; a shorter pause never cuts a longer one', async () => {
    const { clock, sleep, now } = fakeClock();
    const waits: [number, string][] = [];
    const gate = new SubmitGate({ rpm: 0, now, sleep, onWait: (ms, why) => waits.push([ms, why]) });
    gate.pause(2_000);
    gate.pause(500);
    expect(gate.pausedFor()).toBe(2_000);
    await Promise.all([gate.acquire(), gate.acquire()]);
    expect(clock.now).toBe(2_000);
    expect(waits).toEqual([[2_000, 'rate-limited']]);
  });

  it('an aborted waiter rejects and does not block the ones behind it', async () => {
    const { sleep, now } = fakeClock();
    const gate = new SubmitGate({ rpm: 1, now, sleep });
    await gate.acquire();
    const ctl = new AbortController();
    ctl.abort();
    await expect(gate.acquire(ctl.signal)).rejects.toMatchObject({ name: 'AbortError' });
    await expect(gate.acquire()).resolves.toBeUndefined();
  });
});
