/**
 * How every job of a batch (and, later, of a sweep) is submitted: through the shared gate
 * (--rpm, and a pause for all after a 429), with the retry decisions of api/retry-policy.ts.
 * A 429 has its own budget (RATE_LIMIT_ROUNDS) and waits at the gate, so that one entry's 429
 * slows every submit; other retryable failures back off this job alone, within --retries.
 * The waits and the budget are the one retry engine's (api/retry.ts), as for every request.
 */
import type { Job, SegmindClient } from '../../api/client.js';
import { ApiError, ConnectionError, RateLimitError } from '../../api/errors.js';
import type { RetryInfo } from '../../api/http.js';
import { withRetries, type AttemptFailure } from '../../api/retry.js';
import { InterruptedError } from '../../errors.js';
import type { ResolvedParams } from '../../params/schema.js';
import { abortableSleep, type Sleep } from '../../util/sleep.js';
import type { SubmitGate } from './rate-limiter.js';

/** The batch stopped submitting before this job's turn: it is reported as not run. */
export class SubmitsStopped extends Error {}

/** A 429 never fails a job quickly: the batch waits it out this many times per job. */
export const RATE_LIMIT_ROUNDS = 20;

/**
 * Keeps the batch's submits in manifest order: a job joins the gate's queue only after the one
 * before it has joined (or will never), whatever its own preparation took (creating a
 * directory, an upload). Without it, --rpm and --fail-fast depended on which fs call ended first.
 */
export class SubmitTurns {
  private tail: Promise<void> = Promise.resolve();

  /** Called synchronously, in manifest order, as jobs start; `done()` may be called more than once. */
  take(): Turn {
    const ready = this.tail;
    let done!: () => void;
    const mine = new Promise<void>((resolve) => {
      done = resolve;
    });
    // The next job waits for this one and, through it, for every job before.
    this.tail = Promise.all([ready, mine]).then(() => undefined);
    return { ready, done };
  }
}

export interface Turn {
  /** Resolves when the job before has joined the gate's queue, or given up its turn. */
  ready: Promise<void>;
  /** This job has joined the queue, or will not submit: the next may join. */
  done(): void;
}

export interface GateSubmit {
  /** This job's place in the order of first submits. */
  turn?: Turn;
  gate: SubmitGate;
  /** A client without retries of its own: the retries are decided here. */
  submitClient: Pick<SegmindClient, 'submit' | 'endpoint'>;
  retries: number;
  signal: AbortSignal;
  /**
   * Aborted after --fail-fast's first failure or an account-wide one: a job still waiting at
   * the gate then never submits (it would be paid for after the stop).
   */
  stopSubmits?: AbortSignal;
  sleep?: Sleep;
  /**
   * The budget's leave (job.ts): asked in this job's turn, before it joins the gate, so jobs are
   * admitted in manifest order. Throws BudgetError when the job does not fit.
   */
  admit?: (signal: AbortSignal) => Promise<void>;
  /** A 429: every submit waits `ms`. */
  onRateLimited?(ms: number): void;
  onRetry?(info: RetryInfo): void;
}

/** What the shared policy needs to know of a failed submit; undefined rethrows it at once. */
function classify(e: unknown): AttemptFailure | undefined {
  if (e instanceof ApiError)
    return { outcome: { type: 'status', status: e.status }, headers: e.headers, reason: e.message };
  if (e instanceof ConnectionError) return { outcome: { type: 'network', sent: e.sent }, reason: e.message };
  // Anything else (a garbled answer: the job may exist; the gate stopping) is not retried.
  return undefined;
}

/**
 * Submits through the gate, with the one retry engine (api/retry.ts). A 429 pauses every
 * submit of the batch for the time the server asked (Retry-After or x-rate-limit-reset-at-utc)
 * and the next attempt waits at the gate, outside the --retries budget, at most
 * RATE_LIMIT_ROUNDS times; other retryable failures back off this job alone, within --retries.
 * A 429 surely created no job, so retrying it never bills twice; the policy refuses retries
 * that could.
 */
export async function submitThroughGate(params: ResolvedParams, c: GateSubmit): Promise<Job> {
  const sleep = c.sleep ?? abortableSleep;
  const waitSignal = c.stopSubmits ? AbortSignal.any([c.signal, c.stopSubmits]) : c.signal;
  let limited = 0;
  // Set by onRetry for a 429: the wait is the gate's, not this job's own sleep.
  let atGate = false;
  try {
    return await withRetries(
      async () => {
        if (c.turn) await c.turn.ready;
        try {
          await c.admit?.(waitSignal);
        } catch (e) {
          if (!(e instanceof InterruptedError)) throw e;
          if (c.stopSubmits?.aborted && !c.signal.aborted) throw new SubmitsStopped();
          throw e;
        }
        try {
          // acquire() joins the queue synchronously: the next job may join after this one.
          const acquired = c.gate.acquire(waitSignal);
          c.turn?.done();
          await acquired;
        } catch {
          if (c.stopSubmits?.aborted && !c.signal.aborted) throw new SubmitsStopped();
          throw new InterruptedError();
        }
        if (c.stopSubmits?.aborted) throw new SubmitsStopped();
        return c.submitClient.submit(params, { signal: c.signal });
      },
      {
        cls: 'submit',
        retries: c.retries,
        unbudgeted: (e) => e instanceof RateLimitError,
        classify: (e) => (e instanceof RateLimitError && limited >= RATE_LIMIT_ROUNDS ? undefined : classify(e)),
        signal: c.signal,
        sleep: (ms, signal) => (atGate ? Promise.resolve() : sleep(ms, signal)),
        onRetry: (r) => {
          atGate = r.error instanceof RateLimitError;
          if (atGate) {
            limited++;
            c.gate.pause(r.delayMs);
            c.onRateLimited?.(r.delayMs);
          } else {
            c.onRetry?.({
              method: 'POST',
              url: c.submitClient.endpoint(false),
              attempt: r.attempt,
              delayMs: r.delayMs,
              reason: r.reason,
            });
          }
        },
      },
    );
  } catch (e) {
    // A wait cut by Ctrl-C ends as the engine's AbortError.
    if ((e as Error)?.name === 'AbortError') throw new InterruptedError();
    throw e;
  }
}
