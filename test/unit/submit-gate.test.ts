/**
 * Batch submits: the gate and the shared retry policy, on a fake clock. The waits are
 * asserted, not just the outcome (STYLE.md: a retry test that never checks delays proves little).
 */
import { describe, expect, it } from 'vitest';
import { apiErrorFor, ConnectionError } from '../../src/api/errors.js';
import type { Job } from '../../src/api/client.js';
import { SubmitGate } from '../../src/core/batch/rate-limiter.js';
import {
  RATE_LIMIT_ROUNDS,
  submitThroughGate,
  SubmitsStopped,
  SubmitTurns,
  type GateSubmit,
} from '../../src/core/batch/submit-gate.js';
import type { ResolvedParams } from '../../src/params/schema.js';
import { BudgetError, InterruptedError } from '../../src/errors.js';

const params = { prompt: 'x' } as ResolvedParams;
const job: Job = { requestId: 'abc', status: 'QUEUED', statusUrl: '', responseUrl: '' };

/** A fake clock: sleeping moves it forward at once. */
function clock() {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleeps,
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortError' });
      sleeps.push(ms);
      now += ms;
    },
  };
}

function setup(answers: (() => Job | Error)[], extra: Partial<GateSubmit> = {}) {
  const c = clock();
  const gateWaits: number[] = [];
  const gate = new SubmitGate({ rpm: 0, now: c.now, sleep: c.sleep, onWait: (ms) => gateWaits.push(ms) });
  let calls = 0;
  const retries: number[] = [];
  const limited: number[] = [];
  const o: GateSubmit = {
    gate,
    retries: 2,
    signal: new AbortController().signal,
    sleep: c.sleep,
    submitClient: {
      endpoint: () => 'http://127.0.0.1:9/v2/flux-krea-dev',
      submit: async () => {
        const a = answers[Math.min(calls++, answers.length - 1)]!();
        if (a instanceof Error) throw a;
        return a;
      },
    },
    onRetry: (i) => retries.push(i.delayMs),
    onRateLimited: (ms) => limited.push(ms),
    ...extra,
  };
  return { o, calls: () => calls, retries, limited, gateWaits, clock: c };
}

const rateLimited = (seconds: number) => () => apiErrorFor(429, { 'retry-after': String(seconds) }, {});
const status = (n: number) => () => apiErrorFor(n, {}, {});

describe('submitThroughGate', () => {
  it('a 429 pauses the gate for the time the server asked, outside the --retries budget', async () => {
    const t = setup([rateLimited(3), rateLimited(3), rateLimited(3), () => job], { retries: 0 });
    await expect(submitThroughGate(params, t.o)).resolves.toBe(job);
    expect(t.calls()).toBe(4);
    expect(t.limited).toEqual([3000, 3000, 3000]);
    // The waits happen at the gate, where every other submit of the batch waits too.
    expect(t.gateWaits).toEqual([3000, 3000, 3000]);
    expect(t.retries).toEqual([]);
  });

  it('a 429 that never ends fails the job after RATE_LIMIT_ROUNDS waits at the gate', async () => {
    const t = setup([rateLimited(1)], { retries: 0 });
    await expect(submitThroughGate(params, t.o)).rejects.toMatchObject({ status: 429 });
    expect(t.calls()).toBe(RATE_LIMIT_ROUNDS + 1);
    expect(t.limited).toHaveLength(RATE_LIMIT_ROUNDS);
  });

  it('a 500 (the job was not created) is retried with backoff within --retries', async () => {
    const t = setup([status(500), status(500), () => job]);
    await expect(submitThroughGate(params, t.o)).resolves.toBe(job);
    expect(t.retries).toHaveLength(2);
    expect(t.retries[0]).toBeGreaterThanOrEqual(375);
    expect(t.retries[0]).toBeLessThanOrEqual(500);
    expect(t.retries[1]).toBeGreaterThanOrEqual(750);
    expect(t.retries[1]).toBeLessThanOrEqual(1000);
    expect(t.clock.sleeps).toEqual(t.retries);
  });

  it('stops at --retries with the last failure', async () => {
    const t = setup([status(503)]);
    await expect(submitThroughGate(params, t.o)).rejects.toMatchObject({ status: 503 });
    expect(t.calls()).toBe(3);
  });

  it('never retries what may have created a job: 504, or a connection cut after sending', async () => {
    for (const answer of [status(504), () => new ConnectionError('reset', 'ECONNRESET', true)]) {
      const t = setup([answer, () => job]);
      await expect(submitThroughGate(params, t.o)).rejects.toBeTruthy();
      expect(t.calls()).toBe(1);
    }
  });

  it('a refused connection (nothing sent) is retried', async () => {
    const t = setup([() => new ConnectionError('refused', 'ECONNREFUSED', false), () => job]);
    await expect(submitThroughGate(params, t.o)).resolves.toBe(job);
    expect(t.calls()).toBe(2);
  });

  it('a job still at the gate when submits stop is not run, and never submitted', async () => {
    const stop = new AbortController();
    stop.abort();
    const t = setup([() => job], { stopSubmits: stop.signal });
    await expect(submitThroughGate(params, t.o)).rejects.toBeInstanceOf(SubmitsStopped);
    expect(t.calls()).toBe(0);
  });
});

describe('submitThroughGate and the budget', () => {
  it('asks the budget before the gate on every attempt (runJob counts a job once however often it is asked)', async () => {
    let asked = 0;
    const t = setup([status(500), () => job], { admit: async () => void asked++ });
    await expect(submitThroughGate(params, t.o)).resolves.toBe(job);
    expect(t.calls()).toBe(2);
    expect(asked).toBe(2);
  });

  it('a budget stop is thrown as is, never retried, and nothing is submitted', async () => {
    const stop = new BudgetError('max-cost', { spent: 0.04, estimate: 0.02, maxCost: 0.05, left: 0.01 });
    const t = setup([() => job], { admit: async () => Promise.reject(stop) });
    await expect(submitThroughGate(params, t.o)).rejects.toBe(stop);
    expect(t.calls()).toBe(0);
  });

  it('a job waiting for the budget when submits stop is not run', async () => {
    const stopSubmits = new AbortController();
    const t = setup([() => job], {
      stopSubmits: stopSubmits.signal,
      admit: (signal) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(new InterruptedError()), { once: true }),
        ),
    });
    const waiting = submitThroughGate(params, t.o);
    stopSubmits.abort();
    await expect(waiting).rejects.toBeInstanceOf(SubmitsStopped);
    expect(t.calls()).toBe(0);
  });
});

describe('SubmitTurns', () => {
  it('keeps submits in manifest order even when a later job is ready first', async () => {
    const order: string[] = [];
    const gate = new SubmitGate({ rpm: 0 });
    const turns = new SubmitTurns();
    const submitAs = (name: string): GateSubmit['submitClient'] => ({
      endpoint: () => 'http://127.0.0.1:9/v2/flux-krea-dev',
      submit: async () => {
        order.push(name);
        return job;
      },
    });
    const signal = new AbortController().signal;
    const first = turns.take();
    const second = turns.take();
    const third = turns.take();
    // The first job is slow to prepare (an upload, say); the second is ready at once; the
    // third never submits (fetched by id) and gives its turn up.
    const a = (async () => {
      await new Promise((r) => setTimeout(r, 30));
      return submitThroughGate(params, { gate, submitClient: submitAs('first'), retries: 0, signal, turn: first });
    })();
    const b = submitThroughGate(params, { gate, submitClient: submitAs('second'), retries: 0, signal, turn: second });
    third.done();
    const fourth = turns.take();
    const d = submitThroughGate(params, { gate, submitClient: submitAs('fourth'), retries: 0, signal, turn: fourth });
    await Promise.all([a, b, d]);
    expect(order).toEqual(['first', 'second', 'fourth']);
  });
});
