import { describe, expect, it } from 'vitest';
import { batchPollDelay, JobTimeEstimate } from '../../src/core/batch/poll-schedule.js';
import { pollDelay } from '../../src/api/retry-policy.js';

describe('batchPollDelay', () => {
  it.each([
    // Nothing known: four polls 250 ms apart, then the usual schedule.
    { n: 0, elapsed: 0, expected: undefined, delay: 250 },
    { n: 3, elapsed: 750, expected: undefined, delay: 250 },
    { n: 4, elapsed: 1000, expected: undefined, delay: 1000 },
    // A 500 ms batch: one poll just before 450 ms, then every 25 ms until 800 ms.
    { n: 0, elapsed: 0, expected: 500, delay: 250 },
    { n: 1, elapsed: 250, expected: 500, delay: 200 },
    { n: 2, elapsed: 450, expected: 500, delay: 25 },
    { n: 9, elapsed: 790, expected: 500, delay: 25 },
    { n: 10, elapsed: 800, expected: 500, delay: 1000 },
    // 24 s jobs: close polling is capped by the interval; nothing changes much.
    { n: 5, elapsed: 22_000, expected: 24_000, delay: 1000 },
  ])('poll $n at $elapsed ms, expecting $expected: wait $delay', ({ n, elapsed, expected, delay }) => {
    expect(batchPollDelay(n, elapsed, 1000, expected)).toBe(delay);
  });

  it('never waits longer than the usual schedule', () => {
    for (const expected of [undefined, 50, 500, 5_000, 24_000, 120_000]) {
      for (let n = 0; n < 40; n++) {
        for (const elapsed of [0, 100, 480, 1_000, 20_000, 200_000]) {
          expect(batchPollDelay(n, elapsed, 1000, expected)).toBeLessThanOrEqual(pollDelay(n, 1000));
        }
      }
    }
  });
});

describe('JobTimeEstimate', () => {
  it("keeps the middle of each job's bounds and gives the median of recent jobs", () => {
    const e = new JobTimeEstimate();
    expect(e.expected()).toBeUndefined();
    e.record(250, 750);
    expect(e.expected()).toBe(500);
    e.record(480, 520);
    e.record(490, 530);
    expect(e.expected()).toBe(500);
    for (let i = 0; i < 20; i++) e.record(900, 1100);
    expect(e.expected()).toBe(1000);
  });
});
