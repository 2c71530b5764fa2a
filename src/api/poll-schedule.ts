/**
 * When to poll a job: few polls, dense only around the expected end (issue 11). Pure, and
 * table-tested in test/unit/poll-schedule.test.ts.
 *
 * Each status poll may count against Segmind's rate limit (5 requests a minute on the entry
 * plan), and a flux-krea-dev job takes about 24 s, so polling every second spends the whole
 * minute's budget on one job. Instead:
 * - with an expected run time (the median of recent jobs, from the journal), the first poll is
 *   just before it and a few close ones follow (at most 0.5 s apart), so the end is noticed
 *   within one step;
 * - without one, Segmind's documented ~24 s is the prior, approached geometrically (2, 4, 8,
 *   16 s…), so a fast job is still seen soon;
 * - a job that runs past its expected end is polled at a growing interval (half of how late it
 *   is), capped: a cold start can queue for minutes.
 * An explicit interval is a fixed cadence, as the user asked.
 */

/** Segmind's documented run time of a flux-krea-dev job. */
export const PRIOR_RUN_MS = 24_000;
/** The longest wait between two polls of a late job. */
export const MAX_POLL_GAP_MS = 12_000;
/** Without history, the first poll comes after this; each next wait at most doubles. */
export const FIRST_POLL_MS = 2_000;
const MIN_STEP_MS = 25;
/**
 * Close steps: at most half a second, so a job is noticed within a quarter of a second on
 * average and never more than half a second late when it ends near its expected time (issue
 * 18: a 24 s job in 5 requests, images on disk 0.5 s after it ends at worst).
 */
const MAX_STEP_MS = 500;
/** Close polling steps are this share of the expected time... */
const STEP_SHARE = 0.02;
/** ...and start this many steps before it. */
const LEAD_STEPS = 1.5;

export interface PollPlan {
  /** A fixed cadence (an explicit interval): every poll waits exactly this. */
  fixedMs?: number;
  /** The expected run time of this job, when history gives one. */
  expectedMs?: number;
}

/** The wait before the next status poll of a job that was submitted `elapsedMs` ago. */
export function nextPollDelay(elapsedMs: number, plan: PollPlan = {}): number {
  if (plan.fixedMs !== undefined) return Math.max(0, plan.fixedMs);
  const known = plan.expectedMs !== undefined && plan.expectedMs > 0;
  const expected = known ? plan.expectedMs! : PRIOR_RUN_MS;
  const step = clamp(expected * STEP_SHARE, MIN_STEP_MS, MAX_STEP_MS);
  const lead = expected - LEAD_STEPS * step;
  const elapsed = Math.max(0, elapsedMs);
  if (elapsed < lead) {
    const toLead = lead - elapsed;
    return Math.round(known ? toLead : Math.min(toLead, Math.max(FIRST_POLL_MS, elapsed)));
  }
  if (elapsed < expected + step) return Math.round(step);
  return Math.round(clamp((elapsed - expected) / 2, step, MAX_POLL_GAP_MS));
}

/**
 * The expected run time from recent ones (ms, newest first): their median, which one odd job
 * (a cold start) does not move. Undefined when there is no history.
 */
export function expectedRunTime(recent: number[]): number | undefined {
  const usable = recent.filter((ms) => Number.isFinite(ms) && ms > 0).slice(0, RECENT_JOBS);
  if (usable.length === 0) return undefined;
  const sorted = [...usable].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** How many recent jobs the estimate looks at: recent ones reflect the current queue. */
export const RECENT_JOBS = 16;

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
