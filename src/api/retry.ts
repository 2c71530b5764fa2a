/**
 * The one retry engine: runs attempts under the pure policy of retry-policy.ts, for API
 * requests (http.ts), image downloads (download.ts) and batch submits alike.
 *
 * It knows nothing of HTTP: the caller's `classify` turns a failure into an Outcome (and the
 * answer's headers, for Retry-After and Segmind's reset time). Waits are abortable; an abort
 * rejects with the sleep's AbortError, which the caller maps to its own error.
 */
import type { Headers } from './errors.js';
import { isRetryable, retryDelay, type Outcome, type RequestClass } from './retry-policy.js';
import { abortableSleep, type Sleep } from '../util/sleep.js';

/** What `classify` says of one failed attempt. */
export interface AttemptFailure {
  outcome: Outcome;
  /** The answer's headers, when there was an answer. */
  headers?: Headers;
  /** One line for the onRetry report ("HTTP 429", "Connection refused by …"). */
  reason: string;
}

export interface RetryNotice {
  /** 1 for the first retry. */
  attempt: number;
  delayMs: number;
  reason: string;
  error: unknown;
}

export interface RetryOptions {
  /** 'read' may be repeated; 'submit' only when the job surely was not created. */
  cls: RequestClass;
  /** Retries after the first attempt; `Infinity` keeps trying until `deadline` or `signal`. */
  retries: number;
  /**
   * Failures that do not spend the budget: retried until `deadline` or `signal` (waiting on a
   * paid job outlasts a rate limit or a dropped connection). The policy still decides.
   */
  unbudgeted?: (error: unknown) => boolean;
  /** Describes a failure for the policy; `undefined` rethrows it at once (not retryable). */
  classify: (error: unknown) => AttemptFailure | undefined;
  /** Stops waits: the engine rejects with the AbortError of the sleep. */
  signal?: AbortSignal;
  /** No wait may end past this time (ms since epoch): the last failure is thrown instead. */
  deadline?: number;
  onRetry?: (notice: RetryNotice) => void;
  /** Injectable for tests; must reject with an AbortError when the signal fires. */
  sleep?: Sleep;
  now?: () => number;
}

/**
 * Runs `attempt(n)` (n = 0, 1, …) until it resolves, a failure is not retryable, the budget is
 * spent, or the next wait would pass the deadline; then rethrows that attempt's error.
 */
export async function withRetries<T>(attempt: (n: number) => Promise<T>, o: RetryOptions): Promise<T> {
  const sleep = o.sleep ?? abortableSleep;
  const now = o.now ?? Date.now;
  let spent = 0;
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      const failure = o.classify(error);
      if (!failure || !isRetryable(o.cls, failure.outcome)) throw error;
      if (!o.unbudgeted?.(error) && spent++ >= o.retries) throw error;
      // Past the first few retries the backoff stays at its cap (8 s), also for an endless budget.
      const delayMs = retryDelay(Math.min(n, 10), failure.headers ?? {}, now());
      if (o.deadline !== undefined && now() + delayMs > o.deadline) throw error;
      o.onRetry?.({ attempt: n + 1, delayMs, reason: failure.reason, error });
      await sleep(delayMs, o.signal);
    }
  }
}
