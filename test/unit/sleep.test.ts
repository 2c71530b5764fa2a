/** The one real wait of the CLI, which fault tests replace with a recording stand-in. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { abortableSleep } from '../../src/util/sleep.js';

describe('abortableSleep', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('resolves once the time has passed, not before', async () => {
    let done = false;
    const p = abortableSleep(1000).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await p;
    expect(done).toBe(true);
  });

  it('rejects with an AbortError at once when the signal fires, or has fired', async () => {
    const c = new AbortController();
    const p = abortableSleep(60_000, c.signal);
    c.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    await expect(abortableSleep(10, c.signal)).rejects.toMatchObject({ name: 'AbortError' });
    expect(vi.getTimerCount()).toBe(0);
  });
});
