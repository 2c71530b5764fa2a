/**
 * The client's waits, checked against the emulator with an injected sleep that records each
 * delay instead of waiting: the retry schedule is asserted exactly, and the test takes no time.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { SegmindClient } from '../../src/api/client.js';
import { DeadlineError, InterruptedError } from '../../src/errors.js';
import { RateLimitError, ServerError } from '../../src/api/errors.js';
import { SMALL_PARAMS } from '../helpers/params.js';

let emu: Emulator;
let waits: number[];
let client: SegmindClient;
const params = SMALL_PARAMS;

beforeEach(async () => {
  emu = await startEmulator();
  waits = [];
  client = new SegmindClient({
    apiKey: emu.apiKey,
    baseUrl: emu.url,
    uploadUrl: emu.uploadUrl,
    retries: 4,
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
});
afterEach(async () => {
  await client.close();
  await emu.close();
});

describe('retry waits', () => {
  it('Retry-After in seconds is honoured exactly', async () => {
    emu.fault({ route: 'submit', times: 2, kind: { type: 'status', status: 429, headers: { 'retry-after': '3' } } });
    await client.submit({ ...params });
    expect(waits).toEqual([3000, 3000]);
    expect(emu.submits()).toBe(1);
  });

  it('Retry-After as an HTTP date', async () => {
    const at = new Date(Date.now() + 5000).toUTCString();
    emu.fault({ route: 'status', kind: { type: 'status', status: 503, headers: { 'retry-after': at } } });
    const job = await client.submit({ ...params });
    await client.status(job);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(3000);
    expect(waits[0]).toBeLessThanOrEqual(5000);
  });

  it('without a header: exponential backoff with jitter, 0.5 s, 1 s, 2 s, 4 s', async () => {
    emu.fault({ route: 'status', times: 4, kind: { type: 'status', status: 502 } });
    const job = await client.submit({ ...params });
    await client.status(job);
    expect(waits).toHaveLength(4);
    [500, 1000, 2000, 4000].forEach((base, i) => {
      expect(waits[i]).toBeGreaterThanOrEqual(base * 0.75);
      expect(waits[i]).toBeLessThanOrEqual(base);
    });
  });

  it('the budget runs out: the typed error, after exactly retries + 1 attempts', async () => {
    emu.fault({ route: 'submit', times: 10, kind: { type: 'status', status: 429, headers: { 'retry-after': '1' } } });
    await expect(client.submit({ ...params })).rejects.toBeInstanceOf(RateLimitError);
    expect(waits).toEqual([1000, 1000, 1000, 1000]);
    expect(emu.log.filter((l) => l.method === 'POST')).toHaveLength(5);
  });

  it('a 504 on submit is not retried', async () => {
    emu.fault({ route: 'submit', kind: { type: 'after-create', status: 504 } });
    await expect(client.submit({ ...params })).rejects.toBeInstanceOf(ServerError);
    expect(waits).toEqual([]);
  });

  it('connection refused before sending is retried, even for a submit', async () => {
    const dead = new SegmindClient({
      apiKey: 'k',
      baseUrl: 'http://127.0.0.1:1',
      retries: 2,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    await expect(dead.submit({ ...params })).rejects.toMatchObject({
      kind: 'network',
      code: 'ECONNREFUSED',
      sent: false,
    });
    expect(waits).toHaveLength(2);
    await dead.close();
  });
});

describe('wait', () => {
  it('an explicit interval is a fixed cadence; each state is reported once; the result is returned', async () => {
    emu.configure({ queuedPolls: 2, processingPolls: 2 });
    const job = await client.submit({ ...params });
    const seen: string[] = [];
    const result = await client.wait(job, { intervalMs: 1000, onStatus: (s) => seen.push(s) });
    expect(seen).toEqual(['QUEUED', 'PROCESSING', 'COMPLETED']);
    expect(waits).toEqual([1000, 1000, 1000, 1000, 1000]);
    expect(result.images).toHaveLength(1);
  });

  it('stops at the deadline with the request id', async () => {
    emu.configure({ queuedPolls: 1_000_000 });
    const real = new SegmindClient({ apiKey: emu.apiKey, baseUrl: emu.url });
    const job = await real.submit({ ...params });
    const e = await real.wait(job, { intervalMs: 10, deadline: Date.now() + 100 }).catch((x) => x);
    expect(e).toBeInstanceOf(DeadlineError);
    expect(e.requestId).toBe(job.requestId);
    await real.close();
  });

  it('stops on abort with the request id', async () => {
    emu.configure({ queuedPolls: 1_000_000 });
    const real = new SegmindClient({ apiKey: emu.apiKey, baseUrl: emu.url });
    const job = await real.submit({ ...params });
    const ctl = new AbortController();
    const p = real.wait(job, { intervalMs: 10, signal: ctl.signal, onStatus: () => setImmediate(() => ctl.abort()) });
    const e = await p.catch((x) => x);
    expect(e).toBeInstanceOf(InterruptedError);
    expect(e.requestId).toBe(job.requestId);
    await real.close();
  });
});

describe('the key goes only to Segmind', () => {
  it('a status URL on another host is not followed with the key', async () => {
    const c = new SegmindClient({ apiKey: emu.apiKey, baseUrl: emu.url });
    expect(c.http.mayReceiveKey(`${emu.url}/v2/requests/x/status`)).toBe(true);
    expect(c.http.mayReceiveKey(`${emu.imageHost}/images/a.png`)).toBe(false);
    expect(c.http.mayReceiveKey('https://evil.example/v2')).toBe(false);
    expect(c.http.headersFor(`${emu.imageHost}/x`, false)['x-api-key']).toBeUndefined();
    await c.close();
  });
});
