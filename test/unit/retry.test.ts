/** The one retry engine: its waits, budget, deadline and abort, with a recording sleep. */
import { describe, expect, it } from 'vitest';
import { withRetries, type AttemptFailure } from '../../src/api/retry.js';

class Fail extends Error {
  constructor(readonly f: AttemptFailure) {
    super(f.reason);
  }
}
const status = (s: number, headers = {}) =>
  new Fail({ outcome: { type: 'status', status: s }, headers, reason: `HTTP ${s}` });
const classify = (e: unknown) => (e instanceof Fail ? e.f : undefined);

function script(failures: Error[]) {
  let calls = 0;
  return {
    run: async () => {
      const f = failures[calls++];
      if (f) throw f;
      return 'ok';
    },
    calls: () => calls,
  };
}

describe('withRetries', () => {
  it('retries a read on 429 with the server-given wait, and reports each retry', async () => {
    const waits: number[] = [];
    const notices: number[] = [];
    const s = script([status(429, { 'retry-after': '2' }), status(503, { 'retry-after': '3' })]);
    const out = await withRetries(s.run, {
      cls: 'read',
      retries: 4,
      classify,
      sleep: async (ms) => {
        waits.push(ms);
      },
      onRetry: (n) => notices.push(n.attempt),
    });
    expect(out).toBe('ok');
    expect(waits).toEqual([2000, 3000]);
    expect(notices).toEqual([1, 2]);
  });

  it('stops after the budget and rethrows the last failure', async () => {
    const waits: number[] = [];
    const s = script([status(502), status(502), status(502)]);
    await expect(
      withRetries(s.run, {
        cls: 'read',
        retries: 2,
        classify,
        sleep: async (ms) => {
          waits.push(ms);
        },
      }),
    ).rejects.toThrow('HTTP 502');
    expect(s.calls()).toBe(3);
    expect(waits).toHaveLength(2);
  });

  it('never retries what the policy forbids: a submit after a 504, an unclassified error', async () => {
    const s = script([status(504)]);
    await expect(withRetries(s.run, { cls: 'submit', retries: 4, classify, sleep: async () => {} })).rejects.toThrow(
      'HTTP 504',
    );
    expect(s.calls()).toBe(1);
    const t = script([new Error('boom')]);
    await expect(withRetries(t.run, { cls: 'read', retries: 4, classify, sleep: async () => {} })).rejects.toThrow(
      'boom',
    );
    expect(t.calls()).toBe(1);
  });

  it('an endless budget keeps trying, with backoff capped at 8 s', async () => {
    const waits: number[] = [];
    const s = script(Array.from({ length: 30 }, () => status(429)));
    await withRetries(s.run, {
      cls: 'read',
      retries: Infinity,
      classify,
      sleep: async (ms) => {
        waits.push(ms);
      },
      now: () => 0,
    });
    expect(s.calls()).toBe(31);
    expect(Math.max(...waits)).toBeLessThanOrEqual(8000);
    expect(waits.slice(-5).every((w) => w >= 6000)).toBe(true);
  });

  it('does not start a wait that would end past the deadline', async () => {
    const s = script([status(429, { 'retry-after': '10' })]);
    await expect(
      withRetries(s.run, { cls: 'read', retries: 4, classify, deadline: 5000, now: () => 0, sleep: async () => {} }),
    ).rejects.toThrow('HTTP 429');
    expect(s.calls()).toBe(1);
  });

  it('an abort during a wait rejects with the AbortError and makes no further attempt', async () => {
    const ctl = new AbortController();
    const s = script([status(503), status(503)]);
    const p = withRetries(s.run, { cls: 'read', retries: 4, classify, signal: ctl.signal, onRetry: () => ctl.abort() });
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(s.calls()).toBe(1);
  });
});

describe('withRetries: unbudgeted failures', () => {
  it('do not spend the budget, and budgeted ones still do', async () => {
    const waits: number[] = [];
    const s = script([status(429), status(429), status(429), status(502), status(429), status(502)]);
    const p = withRetries(s.run, {
      cls: 'read',
      retries: 1,
      classify,
      sleep: async (ms) => {
        waits.push(ms);
      },
      unbudgeted: (e) => e instanceof Fail && e.f.outcome.type === 'status' && e.f.outcome.status === 429,
    });
    await expect(p).rejects.toThrow('HTTP 502');
    expect(s.calls()).toBe(6);
  });
});
