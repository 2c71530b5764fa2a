import { describe, expect, it } from 'vitest';
import {
  isRetryable,
  retryDelay,
  serverRequestedDelay,
  pollDelay,
  SERVER_WAIT_CAP_MS,
  type Outcome,
  type RequestClass,
} from '../../src/api/retry-policy.js';
import { parseResetTime } from '../../src/api/retry-policy.js';

describe('isRetryable', () => {
  const table: [RequestClass, Outcome, boolean][] = [
    ['read', { type: 'status', status: 408 }, true],
    ['read', { type: 'status', status: 429 }, true],
    ['read', { type: 'status', status: 500 }, true],
    ['read', { type: 'status', status: 502 }, true],
    ['read', { type: 'status', status: 503 }, true],
    ['read', { type: 'status', status: 504 }, true],
    ['read', { type: 'status', status: 400 }, false],
    ['read', { type: 'status', status: 401 }, false],
    ['read', { type: 'status', status: 404 }, false],
    ['read', { type: 'status', status: 406 }, false],
    ['read', { type: 'status', status: 422 }, false],
    ['read', { type: 'network', sent: true }, true],
    ['read', { type: 'network', sent: false }, true],
    ['read', { type: 'abort' }, false],
    // A submit is billed: only when the job surely was not created.
    ['submit', { type: 'status', status: 429 }, true],
    ['submit', { type: 'status', status: 500 }, true],
    ['submit', { type: 'status', status: 502 }, true],
    ['submit', { type: 'status', status: 503 }, true],
    ['submit', { type: 'status', status: 504 }, false],
    ['submit', { type: 'status', status: 408 }, false],
    ['submit', { type: 'status', status: 200 }, false],
    ['submit', { type: 'status', status: 400 }, false],
    ['submit', { type: 'network', sent: false }, true],
    ['submit', { type: 'network', sent: true }, false],
    ['submit', { type: 'abort' }, false],
  ];
  it.each(table)('%s %j → %s', (cls, outcome, expected) => {
    expect(isRetryable(cls, outcome)).toBe(expected);
  });
});

describe('serverRequestedDelay', () => {
  const now = Date.parse('2026-11-24T12:00:00Z');
  it.each([
    [{ 'retry-after': '3' }, 3000],
    [{ 'retry-after': '0.5' }, 500],
    [{ 'retry-after-ms': '250' }, 250],
    [{ 'retry-after': 'Tue, 24 Nov 2026 12:00:07 GMT' }, 7000],
    [{ 'retry-after': 'Tue, 24 Nov 2026 11:59:00 GMT' }, 0],
    [{ 'x-rate-limit-reset-at-utc': '2026-11-24T12:00:12Z' }, 12000],
    [{ 'x-rate-limit-reset-at-utc': '2026-11-24T12:00:12.500' }, 12500],
    [{ 'x-rate-limit-reset-at-utc': '2026-11-24 12:00:30' }, 30000],
    [{ 'x-rate-limit-reset-at-utc': '2026-11-24 12:00:30.250000' }, 30250],
    [{ 'x-rate-limit-reset-at-utc': '2026-11-24T12:00:05+00:00' }, 5000],
    [{ 'x-rate-limit-reset-at-utc': 'garbage' }, undefined],
    [{ 'retry-after': 'soon' }, undefined],
    [{}, undefined],
  ])('%j → %s', (headers, expected) => {
    expect(serverRequestedDelay(headers, now)).toBe(expected);
  });
  it('prefers retry-after over the reset time', () => {
    expect(serverRequestedDelay({ 'retry-after': '2', 'x-rate-limit-reset-at-utc': '2026-11-24T12:00:30Z' }, now)).toBe(
      2000,
    );
  });
});

describe('retryDelay', () => {
  it('backs off exponentially, capped at 8 s, with at most 25% jitter taken off', () => {
    const noJitter = () => 0;
    const fullJitter = () => 1;
    expect([0, 1, 2, 3, 4, 5, 10].map((n) => retryDelay(n, {}, 0, noJitter))).toEqual([
      500, 1000, 2000, 4000, 8000, 8000, 8000,
    ]);
    expect([0, 1, 2, 3, 4].map((n) => retryDelay(n, {}, 0, fullJitter))).toEqual([375, 750, 1500, 3000, 6000]);
  });
  it('follows the server when it says how long, capped', () => {
    expect(retryDelay(0, { 'retry-after': '1' }, 0, () => 0.5)).toBe(1000);
    expect(retryDelay(5, { 'retry-after': '1' }, 0, () => 0.5)).toBe(1000);
    expect(retryDelay(0, { 'retry-after': '3600' })).toBe(SERVER_WAIT_CAP_MS);
  });
  it('takes "now" (0, or a reset time already past) as no advice: the usual backoff, never a burst', () => {
    const now = Date.parse('2026-11-24T12:00:00Z');
    expect(retryDelay(2, { 'retry-after': '0' }, now, () => 0)).toBe(2000);
    expect(retryDelay(1, { 'x-rate-limit-reset-at-utc': '2026-11-24T11:58:00Z' }, now, () => 0)).toBe(1000);
    expect(retryDelay(0, { 'retry-after-ms': '20' }, now, () => 0)).toBe(500);
  });
});

describe('pollDelay', () => {
  it('polls quickly at first, then at the interval', () => {
    expect([0, 1, 2, 3, 4].map((n) => pollDelay(n, 1000))).toEqual([250, 500, 1000, 1000, 1000]);
    expect([0, 1].map((n) => pollDelay(n, 10))).toEqual([10, 10]);
  });
});

describe('parseResetTime: x-rate-limit-reset-at-utc in any plausible format', () => {
  const at = Date.UTC(2026, 7, 1, 12, 0, 5);
  it.each([
    ['2026-08-01T12:00:05Z', at],
    ['2026-08-01T12:00:05', at],
    ['2026-08-01 12:00:05', at],
    ['2026-08-01 12:00:05.000+00:00', at],
    ['2026-08-01T14:00:05+02:00', at],
    [String(at / 1000), at],
    [String(at), at],
    [' 1785585605 ', at],
    ['soon', undefined],
  ] as const)('%j', (value, expected) => {
    expect(parseResetTime(value)).toBe(expected);
  });

  it('epoch seconds in the header give the wait until then', () => {
    expect(serverRequestedDelay({ 'x-rate-limit-reset-at-utc': String(at / 1000) }, at - 7000)).toBe(7000);
  });
});
