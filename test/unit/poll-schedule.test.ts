/** The adaptive poll schedule (src/api/poll-schedule.ts), as tables. */
import { describe, expect, it } from 'vitest';
import { expectedRunTime, MAX_POLL_GAP_MS, nextPollDelay, type PollPlan } from '../../src/api/poll-schedule.js';

/** The times (ms after submit) at which a job of `jobMs` is polled, until one sees it done. */
function polls(jobMs: number, plan: PollPlan): number[] {
  const at: number[] = [];
  let t = 0;
  do {
    t += nextPollDelay(t, plan);
    at.push(t);
  } while (t < jobMs);
  return at;
}

describe('nextPollDelay', () => {
  it.each([
    // job ms, plan, max polls, max notice lag ms
    // Issue 18: a known job in submit + ≤ 4 polls + result, seen ≤ 0.5 s after it ends.
    [8_000, { expectedMs: 8_000 }, 3, 200],
    [8_600, { expectedMs: 8_000 }, 6, 500],
    [7_500, { expectedMs: 8_000 }, 3, 500],
    [24_000, { expectedMs: 24_000 }, 3, 500],
    [26_000, { expectedMs: 24_000 }, 8, 1_000],
    // A first job of unknown length: ≤ 8 polls (10 requests), seen ≤ 0.5 s after it ends.
    [24_000, {}, 7, 500],
    [30_000, {}, 14, 1_000],
    [50, { expectedMs: 50 }, 4, 30],
  ] as const)('a %i ms job with %j: at most %i polls, noticed within %i ms', (jobMs, plan, maxPolls, maxLag) => {
    const at = polls(jobMs, plan);
    expect(at.length).toBeLessThanOrEqual(maxPolls);
    expect(at.at(-1)! - jobMs).toBeLessThanOrEqual(maxLag);
  });

  it("without history: 2 s, then at most doubling, then dense near Segmind's ~24 s", () => {
    expect(polls(24_000, {})).toEqual([2000, 4000, 8000, 16000, 23280, 23760, 24240]);
  });

  it('a late job is polled at a growing interval, capped', () => {
    const at = polls(300_000, { expectedMs: 8_000 });
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    expect(Math.max(...gaps)).toBe(MAX_POLL_GAP_MS);
    expect(gaps.slice(3, 8)).toEqual([...gaps.slice(3, 8)].sort((a, b) => a - b));
    // A five-minute cold start costs about one poll per 12 s, not one a second.
    expect(at.length).toBeLessThan(40);
  });

  it('an explicit interval is a fixed cadence', () => {
    expect([0, 500, 10_000, 99_000].map((t) => nextPollDelay(t, { fixedMs: 1500 }))).toEqual([1500, 1500, 1500, 1500]);
  });
});

describe('expectedRunTime', () => {
  it.each([
    [[], undefined],
    [[8000], 8000],
    [[8000, 9000, 100_000], 9000],
    [[8000, 10_000], 9000],
    [[0, -5, Number.NaN, 7000], 7000],
  ] as const)('%j → %j (the median, which one cold start does not move)', (recent, expected) => {
    expect(expectedRunTime([...recent])).toBe(expected);
  });
});
