/**
 * How every job of a batch (and, later, of a sweep) is submitted: through the shared gate
 * (--rpm, and a pause for all after a 429), with the retry decisions of api/retry-policy.ts.
 * A 429 has its own budget (RATE_LIMIT_ROUNDS) and waits at the gate, so that one entry's 429
 * slows every submit; other retryable failures back off this job alone, within --retries.
 *
 * When api/retry.ts exposes the one retry engine, the loop below becomes one call of it (see
 * the report of the pipeline branch): the decisions already are the shared policy's.
 */
import type { Job, SegmindClient } from '../../api/client.js';
import { ApiError, ConnectionError, RateLimitError } from '../../api/errors.js';
import type { RetryInfo } from '../../api/http.js';
import { isRetryable, retryDelay, type Outcome } from '../../api/retry-policy.js';
import { InterruptedError } from '../../errors.js';
import type { ResolvedParams } from '../../params/schema.js';
import { abortableSleep, type Sleep } from '../../util/sleep.js';
import type { SubmitGate } from './rate-limiter.js';

/** The batch stopped submitting before this job's turn: it is reported as not run. */
export class SubmitsStopped extends Error {}

/** A 429 never fails a job quickly: the batch waits it out this many times per job. */
export const RATE_LIMIT_ROUNDS = 20;

export interface GateSubmit {
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
  /** A 429: every submit waits `ms`. */
  onRateLimited?(ms: number): void;
  onRetry?(info: RetryInfo): void;
}

function outcomeOf(e: unknown): Outcome | undefined {
  if (e instanceof ApiError) return { type: 'status', status: e.status };
  if (e instanceof ConnectionError) return { type: 'network', sent: e.sent };
  return undefined;
}

/**
 * Submits through the gate. A 429 pauses every submit of the batch for the time the server
 * asked (Retry-After or x-rate-limit-reset-at-utc, through the shared retry policy); other
 * retryable failures back off this entry alone. A 429 surely created no job, so retrying it
 * never bills twice; the policy refuses retries that could.
 */
export async function submitThroughGate(params: ResolvedParams, c: GateSubmit): Promise<Job> {
  const sleep = c.sleep ?? abortableSleep;
  let failures = 0;
  let limited = 0;
  const waitSignal = c.stopSubmits ? AbortSignal.any([c.signal, c.stopSubmits]) : c.signal;
  for (;;) {
    try {
      await c.gate.acquire(waitSignal);
    } catch {
      if (c.stopSubmits?.aborted && !c.signal.aborted) throw new SubmitsStopped();
      throw new InterruptedError();
    }
    if (c.stopSubmits?.aborted) throw new SubmitsStopped();
    try {
      return await c.submitClient.submit(params, { signal: c.signal });
    } catch (e) {
      if (e instanceof RateLimitError && limited < RATE_LIMIT_ROUNDS) {
        const ms = retryDelay(limited++, e.headers);
        c.gate.pause(ms);
        c.onRateLimited?.(ms);
        continue;
      }
      const outcome = outcomeOf(e);
      if (!outcome || e instanceof RateLimitError || failures >= c.retries || !isRetryable('submit', outcome)) throw e;
      const delayMs = retryDelay(failures++, (e as { headers?: Record<string, string> }).headers ?? {});
      c.onRetry?.({ method: 'POST', url: c.submitClient.endpoint(false), attempt: failures, delayMs, reason: (e as Error).message });
      try {
        await sleep(delayMs, c.signal);
      } catch {
        throw new InterruptedError();
      }
    }
  }
}
