/**
 * When to retry and how long to wait: pure functions, table-tested in test/unit/retry-policy.test.ts.
 *
 * Reads are safe to repeat. A submit is not: every POST that reaches Segmind is a new billed
 * job and there is no idempotency key, so a submit is retried only when the job surely was
 * not created (Segmind's guidance): 429, a connection that never reached the server, and the
 * 5xx answers that mean the server refused it. A 504 is not among them: a gateway timeout
 * says nothing of whether the job was created behind it.
 */
import type { Headers } from './errors.js';

export type RequestClass = 'read' | 'submit';

export type Outcome =
  | { type: 'status'; status: number }
  /** `sent`: the request may have reached the server (reset after writing, body timeout). */
  | { type: 'network'; sent: boolean }
  | { type: 'abort' };

const READ_RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
const SUBMIT_RETRY_STATUSES = new Set([429, 500, 502, 503]);

export function isRetryable(cls: RequestClass, outcome: Outcome): boolean {
  switch (outcome.type) {
    case 'abort':
      return false;
    case 'network':
      return cls === 'read' || !outcome.sent;
    case 'status':
      return (cls === 'read' ? READ_RETRY_STATUSES : SUBMIT_RETRY_STATUSES).has(outcome.status);
  }
}

export const BACKOFF_BASE_MS = 500;
export const BACKOFF_CAP_MS = 8_000;
/** Longest server-requested wait we honour; a longer one is capped (the deadline still rules). */
export const SERVER_WAIT_CAP_MS = 65_000;

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The wait the server asked for, in ms, or undefined. Understands `retry-after-ms`,
 * `Retry-After` (seconds or HTTP date) and Segmind's `x-rate-limit-reset-at-utc` (ISO time).
 */
export function serverRequestedDelay(headers: Headers, now: number): number | undefined {
  const ms = header(headers, 'retry-after-ms');
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) return Number(ms);
  const ra = header(headers, 'retry-after');
  if (ra !== undefined) {
    const t = ra.trim();
    if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
    const date = Date.parse(t);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const reset = header(headers, 'x-rate-limit-reset-at-utc');
  if (reset !== undefined) {
    const at = parseResetTime(reset);
    if (at !== undefined) return Math.max(0, at - now);
  }
  return undefined;
}

/**
 * Segmind's `x-rate-limit-reset-at-utc` as ms since epoch. Its format is unknown: an ISO time
 * (with `T` or a space, with or without a zone; without one it is UTC, as the name says, where
 * Date.parse would read local time), or epoch seconds or milliseconds.
 */
export function parseResetTime(value: string): number | undefined {
  const t = value.trim();
  if (/^\d+(\.\d+)?$/.test(t)) {
    const n = Number(t);
    // 1e11 s is the year 5138; 1e11 ms is 1973: the magnitude tells the unit.
    return n >= 1e11 ? n : n * 1000;
  }
  let iso = t.replace(/^(\d{4}-\d\d-\d\d) (\d)/, '$1T$2');
  if (/^\d{4}-\d\d-\d\dT[\d:.]+$/.test(iso)) iso += 'Z';
  const date = Date.parse(iso);
  return Number.isNaN(date) ? undefined : date;
}

/**
 * Delay before retry number `attempt` (0 for the first retry): the server's word when it gave
 * one (capped), else exponential backoff `min(0.5·2ⁿ, 8)` s with up to 25% jitter taken off so
 * that many clients do not retry in lockstep.
 */
export function retryDelay(attempt: number, headers: Headers = {}, now = Date.now(), random = Math.random): number {
  const asked = serverRequestedDelay(headers, now);
  // "Now" (Retry-After: 0, or a reset time already past because the clocks disagree) would make
  // a burst of instant retries that burns the budget: back off as if nothing was said.
  if (asked !== undefined && asked >= MIN_SERVER_WAIT_MS) return Math.min(asked, SERVER_WAIT_CAP_MS);
  const base = Math.min(BACKOFF_BASE_MS * 2 ** attempt, BACKOFF_CAP_MS);
  return Math.round(base * (1 - 0.25 * random()));
}

/** Below this, a server-requested wait is taken as "no advice". */
export const MIN_SERVER_WAIT_MS = 100;

/**
 * Polling schedule: quick first polls so that a fast job is noticed soon, then the user's
 * interval. `n` is the number of polls already made.
 */
export function pollDelay(n: number, intervalMs: number): number {
  return Math.min(intervalMs, 250 * 2 ** n);
}
