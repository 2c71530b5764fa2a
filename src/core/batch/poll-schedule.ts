/**
 * Polling that learns from the batch. Jobs of one batch take about the same time, so once a
 * few have finished, each new job is also polled just before that time and then closely,
 * instead of only on the usual 0.25, 0.5, 1, 1, ... s schedule (which notices a 0.5 s job at
 * 0.75 s: half the batch's throughput lost on fast jobs). Never later than the usual schedule,
 * so a slow or unusual job costs nothing; on long jobs (Segmind's ~24 s) it changes little.
 */
import { pollDelay } from '../../api/retry-policy.js';

/** Finished jobs remembered for the estimate: recent ones reflect the current queue. */
const WINDOW = 16;
/** Close polling runs from this share of the expected time... */
const LEAD = 0.9;
/** ...to this one; after that a job is unusual and goes back to the usual schedule, so a wrong
 * estimate costs at most (TAIL - LEAD) / STEP extra polls. */
const TAIL = 1.6;
/** Close polling: this share of the expected time, but at least MIN_STEP_MS. */
const STEP = 0.05;
const MIN_STEP_MS = 25;
/** Before anything is known, the first polls are this close (the usual 0.25, 0.5, 1 s would
 * notice a 0.5 s job only at 0.75 s), then the usual schedule: two extra polls per early job. */
const EARLY_POLLS = 4;
const EARLY_STEP_MS = 250;

export class JobTimeEstimate {
  private readonly seen: number[] = [];

  /**
   * A finished job: the last poll that saw it running (`lowerMs` after submit, 0 if none) and
   * the first that saw it done (`upperMs`). Its real time lies between; the middle is kept, so
   * that a first estimate from the coarse usual schedule is not stuck at its upper end.
   */
  record(lowerMs: number, upperMs: number): void {
    this.seen.push((Math.min(lowerMs, upperMs) + upperMs) / 2);
    if (this.seen.length > WINDOW) this.seen.shift();
  }

  /** The median of recent jobs, once there is one. */
  expected(): number | undefined {
    if (this.seen.length === 0) return undefined;
    const sorted = [...this.seen].sort((a, b) => a - b);
    return sorted[Math.floor((sorted.length - 1) / 2)];
  }
}

/** The wait before poll `n` of a job submitted `elapsedMs` ago. */
export function batchPollDelay(
  n: number,
  elapsedMs: number,
  intervalMs: number,
  expectedMs: number | undefined,
): number {
  const usual = pollDelay(n, intervalMs);
  if (expectedMs === undefined) return n < EARLY_POLLS ? Math.min(usual, EARLY_STEP_MS) : usual;
  const start = expectedMs * LEAD;
  if (elapsedMs < start) return Math.min(usual, start - elapsedMs);
  if (elapsedMs < expectedMs * TAIL) return Math.min(usual, Math.max(MIN_STEP_MS, expectedMs * STEP));
  return usual;
}
