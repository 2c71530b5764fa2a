/**
 * The client against answers shaped like the real Segmind's (issue 11, docs/segmind-contract.md):
 * the emulator in its real defaults and variants, and scripted servers for the rest.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { SegmindClient } from '../../src/api/client.js';
import {
  InsufficientCreditsError,
  JobFailedError,
  ModelFailedError,
  PermissionDeniedError,
} from '../../src/api/errors.js';
import { DeadlineError, ProtocolError } from '../../src/errors.js';
import { scriptedServer, sendJson, type Scripted } from '../helpers/scripted-server.js';
import { SMALL_PARAMS } from '../helpers/params.js';

let emu: Emulator;
let waits: number[];
let client: SegmindClient;
const params = SMALL_PARAMS;

function makeClient(extra: Partial<ConstructorParameters<typeof SegmindClient>[0]> = {}): SegmindClient {
  return new SegmindClient({
    apiKey: emu.apiKey,
    baseUrl: emu.url,
    uploadUrl: emu.uploadUrl,
    retries: 4,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...extra,
  });
}

beforeEach(async () => {
  emu = await startEmulator();
  waits = [];
  client = makeClient();
});
afterEach(async () => {
  await client.close();
  await emu.close();
});

const statusPaths = () => emu.log.filter((r) => r.method === 'GET').map((r) => r.path);

describe('money', () => {
  it('402 on v2 is "not enough credits", with the server text, and is never retried', async () => {
    emu.configure({ credits: 0 });
    const e = await client.submit({ ...params }).catch((x) => x);
    expect(e).toBeInstanceOf(InsufficientCreditsError);
    expect(e.kind).toBe('credits');
    expect(e.status).toBe(402);
    expect(e.message).toContain('Insufficient credits. You have 0 credits.');
    expect(emu.log).toHaveLength(1);
  });

  it('406 on v1 is "not enough credits" too', async () => {
    emu.configure({ credits: 0 });
    const e = await client.runSync({ ...params }).catch((x) => x);
    expect(e).toBeInstanceOf(InsufficientCreditsError);
    expect(e.status).toBe(406);
  });

  it('a v1 500 is the model failing: job-failed, not re-run', async () => {
    const e = await client.runSync({ ...params, prompt: 'explode' }).catch((x) => x);
    expect(e).toBeInstanceOf(ModelFailedError);
    expect(e.kind).toBe('job-failed');
    expect(e.message).toContain('CUDA out of memory');
    expect(emu.submits()).toBe(1);
    expect(waits).toEqual([]);
  });

  it('a 500 on a v2 submit is still retried (the job surely was not created)', async () => {
    emu.fault({ route: 'submit', kind: { type: 'status', status: 500 } });
    await client.submit({ ...params });
    expect(emu.submits()).toBe(1);
    expect(waits).toHaveLength(1);
  });
});

describe('error text under any known key', () => {
  it.each(['message', 'detail', 'html-message', 'error_description', 'error_message'] as const)(
    '%s',
    async (errorKey) => {
      emu.configure({ errorKey, forbidden: true });
      const e = await client.submit({ ...params }).catch((x) => x);
      expect(e).toBeInstanceOf(PermissionDeniedError);
      expect(e.message).toContain('Your account does not have access to this model');
      expect(e.message).not.toContain('<p>');
    },
  );

  it('an invalid body queued, then FAILED on the first poll: the reason is shown, with the request id', async () => {
    const job = await client.submit({ ...params, aspect_ratio: '7:5' } as never);
    const e = await client.wait(job, { intervalMs: 1 }).catch((x) => x);
    expect(e).toBeInstanceOf(JobFailedError);
    expect(e.message).toContain('aspect_ratio');
    expect(e.requestId).toBe(job.requestId);
  });
});

describe('where the images are', () => {
  it('output as a JSON-encoded array string yields every image', async () => {
    emu.configure({ v2ResultShape: 'output-json-string' });
    const job = await client.submit({ ...params, num_outputs: 3 });
    const result = await client.wait(job, { intervalMs: 1 });
    expect(result.images.map((i) => (i as { url: string }).url)).toEqual(emu.job(job.requestId)!.imageUrls);
    expect(result.metrics).toMatchObject({ cost: 0.03 });
  });

  it('the default images[] shape with file_size and output gives each image once', async () => {
    const job = await client.submit({ ...params, num_outputs: 2 });
    const result = await client.wait(job, { intervalMs: 1 });
    expect(result.images).toHaveLength(2);
  });
});

describe('addresses', () => {
  it('without status_url, polls the built /v2/requests/<id>/status, never poll_url', async () => {
    emu.configure({ omitStatusUrl: true });
    const job = await client.submit({ ...params });
    expect(job.statusUrl).toBe(`${emu.url}/v2/requests/${job.requestId}/status`);
    await client.wait(job, { intervalMs: 1 });
    expect(statusPaths().some((p) => p.startsWith('/v1/requests'))).toBe(false);
    expect(statusPaths()).toContain(`/v2/requests/${job.requestId}/status`);
  });

  it('a base URL ending in /v1 (the SDK convention) works for v1 and v2', async () => {
    const c = makeClient({ baseUrl: `${emu.url}/v1/` });
    const job = await c.submit({ ...params });
    await c.wait(job, { intervalMs: 1 });
    await c.runSync({ ...params });
    expect(emu.log.map((r) => r.path).filter((p) => p.startsWith('/v1/v') || p.startsWith('/v1/v2'))).toEqual([]);
    expect(emu.submits()).toBe(2);
    await c.close();
  });

  it('reads the upload answer by content: JSON labelled text/plain', async () => {
    const url = await client.upload(Buffer.from('fake'), 'image/png');
    expect(url).toMatch(new RegExp(`^${emu.imageHost}/uploads/`));
  });
});

describe('waiting never abandons a paid job before its deadline', () => {
  it('429s on polls with only x-rate-limit-reset-at-utc (epoch seconds) are waited out, beyond the retry budget', async () => {
    const c = makeClient({ retries: 1 });
    const job = await c.submit({ ...params });
    const resetAt = String(Math.ceil(Date.now() / 1000) + 5);
    emu.fault({
      route: 'status',
      times: 6,
      kind: { type: 'status', status: 429, headers: { 'x-rate-limit-reset-at-utc': resetAt } },
    });
    const result = await c.wait(job, { intervalMs: 1, deadline: Date.now() + 60_000 });
    expect(result.status).toBe('COMPLETED');
    const rateWaits = waits.filter((w) => w > 1);
    expect(rateWaits).toHaveLength(6);
    for (const w of rateWaits) {
      expect(w).toBeGreaterThan(3000);
      expect(w).toBeLessThanOrEqual(6000);
    }
    await c.close();
  });

  it('network errors while polling are waited out too', async () => {
    const c = makeClient({ retries: 0 });
    const job = await c.submit({ ...params });
    emu.fault({ route: 'status', times: 5, kind: { type: 'reset' } });
    emu.fault({ route: 'result', times: 2, kind: { type: 'reset' } });
    const result = await c.wait(job, { intervalMs: 1, deadline: Date.now() + 60_000 });
    expect(result.status).toBe('COMPLETED');
    await c.close();
  });

  it('a rate limit that outlasts the deadline ends in DeadlineError with the request id, not a rate-limit error', async () => {
    const real = new SegmindClient({ apiKey: emu.apiKey, baseUrl: emu.url, retries: 1 });
    const job = await real.submit({ ...params });
    const resetAt = new Date(Date.now() + 30_000).toISOString().replace('T', ' ').replace('Z', '');
    emu.fault({
      route: 'status',
      times: 100,
      kind: { type: 'status', status: 429, headers: { 'x-rate-limit-reset-at-utc': resetAt } },
    });
    const started = Date.now();
    const e = await real.wait(job, { intervalMs: 1, deadline: Date.now() + 300 }).catch((x) => x);
    expect(e).toBeInstanceOf(DeadlineError);
    expect(e.requestId).toBe(job.requestId);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(emu.log.filter((r) => r.path.endsWith('/status'))).toHaveLength(1);
    await real.close();
  });

  it('without a deadline, polls keep the usual retry budget', async () => {
    const c = makeClient({ retries: 1 });
    const job = await c.submit({ ...params });
    emu.fault({ route: 'status', times: 3, kind: { type: 'status', status: 429 } });
    await expect(c.wait(job, { intervalMs: 1 })).rejects.toMatchObject({ kind: 'rate-limit' });
    await c.close();
  });
});

describe('adaptive polling', () => {
  it('with an expected run time, the first poll comes just before it', async () => {
    emu.configure({ queuedPolls: 0, processingPolls: 0 });
    const job = await client.submit({ ...params });
    await client.wait(job, { expectedMs: 8000 });
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(6500);
    expect(waits[0]).toBeLessThan(8000);
  });

  it('without history, geometric steps from 2 s', async () => {
    emu.configure({ queuedPolls: 2, processingPolls: 1 });
    const job = await client.submit({ ...params });
    const result = await client.wait(job);
    // The recording sleep takes no time, so each wait is the schedule's first (2 s, then at most doubling).
    expect(waits[0]).toBe(2000);
    expect(waits).toHaveLength(4);
    expect(result.runMs).toBeGreaterThanOrEqual(0);
  });
});

describe('hostile answers (issue 12)', () => {
  let srv: Scripted;
  afterEach(async () => {
    await srv?.close();
  });

  it.each(['../../v1/x', 'a\u001b[31mred', 'id; rm -rf ~', ''])(
    'refuses a request id of an unsafe shape: %j',
    async (id) => {
      srv = await scriptedServer((_req, res) => sendJson(res, 200, { request_id: id, status: 'QUEUED' }));
      const c = new SegmindClient({ apiKey: 'SG_x', baseUrl: srv.url, retries: 0 });
      const e = await c.submit({ ...params }).catch((x) => x);
      expect(e).toBeInstanceOf(ProtocolError);
      expect(e.message).not.toContain('\u001b');
      expect(srv.requests).toHaveLength(1);
      await c.close();
    },
  );

  it('a FAILED body nested 100,000 deep is still a failed job, not a crash', async () => {
    const deep = `{"status":"FAILED","error":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    srv = await scriptedServer((_req, res) => {
      res.writeHead(422, { 'content-type': 'application/json' });
      res.end(deep);
    });
    const c = new SegmindClient({ apiKey: 'SG_x', baseUrl: srv.url, retries: 0 });
    const e = await c.status('0123456789abcdef0123456789abcdef').catch((x) => x);
    expect(e).toBeInstanceOf(JobFailedError);
    await c.close();
  });

  it('a result with an image flood keeps at most 64 references', async () => {
    const urls = Array.from({ length: 10_000 }, (_, i) => `https://images.segmind.com/${i}.png`);
    srv = await scriptedServer((_req, res) => sendJson(res, 200, { status: 'COMPLETED', output: urls }));
    const c = new SegmindClient({ apiKey: 'SG_x', baseUrl: srv.url, retries: 0 });
    const result = await c.result('0123456789abcdef0123456789abcdef');
    expect(result.images.length).toBeLessThanOrEqual(64);
    await c.close();
  });
});
