// The Segmind emulator must itself be right before client tests can lean on it: these tests
// pin its contract (docs/segmind-contract.md), its switches for the unknowns, and each fault.
import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  inspectImage,
  startEmulator,
  type Emulator,
  type EmulatorConfig,
  type FaultSpec,
  type V2ResultShape,
} from '../emulator/index.js';
import { main, parseServeArgs } from '../emulator/serve.js';

let emu: Emulator;
let clock = 1_000_000;

async function start(config: Partial<EmulatorConfig> = {}): Promise<Emulator> {
  await emu?.close();
  emu = await startEmulator({ now: () => clock, ...config });
  return emu;
}

beforeEach(async () => {
  clock = 1_000_000;
  await start();
});
afterEach(async () => {
  await emu.close();
});

interface CallOptions {
  method?: string;
  body?: unknown;
  key?: string | null;
  headers?: Record<string, string>;
}

function call(path: string, { method, body, key, headers = {} }: CallOptions = {}): Promise<Response> {
  const all: Record<string, string> = { ...headers };
  if (key !== null) all['x-api-key'] = key ?? emu.apiKey;
  if (body !== undefined && !('content-type' in all)) all['content-type'] = 'application/json';
  return fetch(path.startsWith('http') ? path : emu.url + path, {
    method: method ?? (body === undefined ? 'GET' : 'POST'),
    headers: all,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const SMALL = { prompt: 'a lighthouse', megapixels: '0.25', output_format: 'png', num_outputs: 1 };

async function submit(params: Record<string, unknown> = {}): Promise<string> {
  const res = await call('/v2/flux-krea-dev', { body: { ...SMALL, ...params } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { request_id: string }).request_id;
}

async function pollStatus(id: string): Promise<{ code: number; body: Record<string, unknown> }> {
  const res = await call(`/v2/requests/${id}/status`);
  return { code: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function complete(id: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 10; i++) {
    const { body } = await pollStatus(id);
    if (body['status'] !== 'QUEUED' && body['status'] !== 'PROCESSING') break;
  }
  const res = await call(`/v2/requests/${id}`);
  return (await res.json()) as Record<string, unknown>;
}

async function download(url: string): Promise<Buffer> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

/** A GET through node:http that reports what arrived even when the connection breaks. */
function rawGet(
  url: string,
): Promise<{ status: number; declared: number; received: number; complete: boolean; error?: string }> {
  return new Promise((resolve) => {
    const req = request(url, (res) => {
      let received = 0;
      res.on('data', (chunk: Buffer) => (received += chunk.length));
      res.on('error', () => undefined);
      res.on('close', () =>
        resolve({
          status: res.statusCode ?? 0,
          declared: Number(res.headers['content-length']),
          received,
          complete: res.complete,
        }),
      );
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ status: 0, declared: 0, received: 0, complete: false, error: error.code ?? error.message }),
    );
    req.end();
  });
}

describe('gateway checks', () => {
  it('rejects a missing, wrong or Bearer-only key with 401 JSON', async () => {
    for (const options of [
      { key: null },
      { key: 'SG_ffffffffffffffff' },
      { key: null, headers: { authorization: `Bearer ${emu.apiKey}` } },
    ]) {
      const res = await call('/v1/get-user-credits', options);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: 'Invalid API key' });
    }
  });

  it('answers a POST without Content-Type: application/json with a plain-text 406', async () => {
    const res = await call('/v2/flux-krea-dev', {
      body: JSON.stringify(SMALL),
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(406);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(() => JSON.parse(text) as unknown).toThrow();
    expect(emu.submits()).toBe(0);
  });

  it('answers unknown paths with 404 JSON and wrong methods with 405 HTML', async () => {
    const missing = await call('/v2/some-other-model', { body: SMALL });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toHaveProperty('error');
    const wrong = await call('/v2/flux-krea-dev');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('content-type')).toBe('text/html');
    expect(await wrong.text()).toContain('<html>');
  });

  it('reports credits, refuses jobs it cannot bill (402 on v2, 406 on v1) and models the account may not use (403)', async () => {
    await start({ credits: 0.015, now: () => clock });
    expect(await (await call('/v1/get-user-credits')).json()).toEqual({ credits: 0.015, 'free-credits': 0.018 });
    const poor = await call('/v2/flux-krea-dev', { body: { ...SMALL, num_outputs: 2 } });
    expect(poor.status).toBe(402);
    expect(await poor.json()).toEqual({ error: 'Insufficient credits. You have 0.015 credits.' });
    const poorV1 = await call('/v1/flux-krea-dev', { body: { ...SMALL, num_outputs: 2 } });
    expect(poorV1.status).toBe(406);
    await submit({ num_outputs: 1 });
    expect((await (await call('/v1/get-user-credits')).json()) as object).toMatchObject({ credits: 0.005 });
    emu.configure({ forbidden: true });
    expect((await call('/v2/flux-krea-dev', { body: SMALL })).status).toBe(403);
    expect(emu.submits()).toBe(1);
  });
});

describe('parameter validation', () => {
  const bad: [string, Record<string, unknown>][] = [
    ['prompt', { prompt: undefined }],
    ['prompt', { prompt: '  ' }],
    ['aspect_ratio', { aspect_ratio: '7:5' }],
    ['megapixels', { megapixels: '2' }],
    ['num_outputs', { num_outputs: 5 }],
    ['num_outputs', { num_outputs: 1.5 }],
    ['guidance', { guidance: 10.5 }],
    ['num_inference_steps', { num_inference_steps: 0 }],
    ['output_format', { output_format: 'gif' }],
    ['output_quality', { output_quality: 101 }],
    ['prompt_strength', { prompt_strength: 1.2 }],
    ['seed', { seed: 'forty-two' }],
    ['go_fast', { go_fast: 'yes' }],
    ['disable_safety_checker', { disable_safety_checker: 1 }],
    ['image', { image: 42 }],
    ['image', { image: 'not a url' }],
    ['steps', { steps: 20 }],
  ];
  it.each(bad)('rejects a bad %s with 400 naming it (validation before queueing)', async (field, patch) => {
    emu.configure({ validation: 'before' });
    const body = { ...SMALL, ...patch };
    const res = await call('/v2/flux-krea-dev', { body });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain(field);
    expect(emu.submits()).toBe(0);
  });

  it.each(bad)(
    'by default queues a bad %s (200 and an id), then fails it on the first poll, unbilled',
    async (field, patch) => {
      const id = await submit(patch);
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      const first = await pollStatus(id);
      expect(first.code).toBe(422);
      expect(first.body).toMatchObject({ status: 'FAILED' });
      expect(first.body['error']).toContain(field);
      expect(first.body).not.toHaveProperty('request_id');
      expect((await (await call('/v1/get-user-credits')).json()) as object).toMatchObject({ credits: 100 });
    },
  );

  it('rejects a body that is not JSON, and accepts megapixels as a number', async () => {
    expect((await call('/v2/flux-krea-dev', { body: '{"prompt":' })).status).toBe(400);
    const id = await submit({ megapixels: 0.25, aspect_ratio: '9:21' });
    expect(emu.job(id)).toMatchObject({ width: 320, height: 768, params: { megapixels: '0.25' } });
  });
});

describe('v2 async flow', () => {
  it('submits with absolute URLs and progresses QUEUED -> PROCESSING -> COMPLETED by polls', async () => {
    const res = await call('/v2/flux-krea-dev', { body: SMALL });
    const body = (await res.json()) as Record<string, string>;
    expect(body['status']).toBe('QUEUED');
    const id = body['request_id']!;
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(body['status_url']).toBe(`${emu.url}/v2/requests/${id}/status`);
    expect(body['poll_url']).toBe(`${emu.url}/v1/requests/${id}`);
    expect(body['response_url']).toBe(`${emu.url}/v2/requests/${id}`);
    // poll_url is the legacy output route: 404 while the job runs (observed).
    expect((await call(body['poll_url']!)).status).toBe(404);
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push((await pollStatus(id)).body);
    expect(answers.map((a) => a['status'])).toEqual(['QUEUED', 'PROCESSING', 'COMPLETED']);
    expect(answers[0]).toEqual({
      status: 'QUEUED',
      request_id: id,
      status_url: body['status_url'],
      response_url: body['response_url'],
      metrics: {},
    });
    expect(answers[2]).toEqual({
      status: 'COMPLETED',
      request_id: id,
      metrics: { inference_time: expect.any(Number) },
    });
    expect(emu.submits()).toBe(1);
  });

  it('can leave status_url out of the submit answer', async () => {
    emu.configure({ omitStatusUrl: true });
    const body = (await (await call('/v2/flux-krea-dev', { body: SMALL })).json()) as Record<string, string>;
    expect(body).not.toHaveProperty('status_url');
    expect(body['poll_url']).toContain('/v1/requests/');
  });

  it('counts a result fetch of a running job as a poll, and can rename PROCESSING', async () => {
    await start({ unknownStatus: 'IN_PROGRESS', queuedPolls: 0, processingPolls: 2, now: () => clock });
    const id = await submit();
    expect(await (await call(`/v2/requests/${id}`)).json()).toEqual({ status: 'IN_PROGRESS', request_id: id });
    expect((await pollStatus(id)).body['status']).toBe('IN_PROGRESS');
    expect((await (await call(`/v2/requests/${id}`)).json()) as object).toMatchObject({ status: 'COMPLETED' });
  });

  const shapes: V2ResultShape[] = [
    'images',
    'output-string',
    'output-array',
    'output-json-string',
    'base64',
    'data-uri',
  ];
  it.each(shapes)('serves the result in the %s shape', async (shape) => {
    emu.configure({ v2ResultShape: shape });
    const id = await submit({ num_outputs: 2 });
    const result = await complete(id);
    expect(result).toMatchObject({
      status: 'COMPLETED',
      request_id: id,
      metrics: { cost: 0.02, remaining_credits: 99.98, retry_count: 0 },
    });
    expect(Object.keys(result['metrics'] as object).sort()).toEqual([
      'cost',
      'inference_time',
      'queue_time',
      'remaining_credits',
      'retry_count',
      'total_time',
    ]);
    expect(typeof (result['metrics'] as Record<string, unknown>)['inference_time']).toBe('number');
    const urls = emu.job(id)!.imageUrls;
    const output = result['output'];
    const bytesOf = async (entry: string): Promise<Buffer> =>
      entry.startsWith('http') ? download(entry) : Buffer.from(entry.replace(/^data:image\/png;base64,/, ''), 'base64');
    if (shape === 'images') {
      const sizes = await Promise.all(urls.map(async (url) => (await download(url)).length));
      expect(result['images']).toEqual(
        urls.map((url, i) => ({
          url,
          content_type: 'image/png',
          file_name: url.split('/').pop(),
          file_size: sizes[i],
        })),
      );
      expect(output).toBe(urls[0]);
    } else if (shape === 'output-string') {
      expect(output).toBe(urls[0]);
    } else if (shape === 'output-json-string') {
      expect(typeof output).toBe('string');
      expect(JSON.parse(output as string)).toEqual(urls);
    } else {
      expect(output).toHaveLength(2);
      if (shape === 'output-array') expect(output).toEqual(urls);
      if (shape === 'data-uri') expect((output as string[])[0]).toMatch(/^data:image\/png;base64,/);
    }
    const first = Array.isArray(output)
      ? (output[0] as string)
      : shape === 'output-json-string'
        ? urls[0]!
        : (output as string);
    expect(inspectImage(await bytesOf(first))).toEqual({ format: 'png', width: 672, height: 384 });
  });

  it('gives a single base64 string for one image', async () => {
    emu.configure({ v2ResultShape: 'base64' });
    const result = await complete(await submit());
    expect(typeof result['output']).toBe('string');
    expect(inspectImage(Buffer.from(result['output'] as string, 'base64')).format).toBe('png');
  });

  it('fails jobs with 422 on status and result, and drops flagged images', async () => {
    for (const [prompt, error] of [
      ['explode please', 'CUDA out of memory'],
      ['something forbidden', 'NSFW content detected'],
    ]) {
      const id = await submit({ prompt, num_outputs: 4 });
      let last = await pollStatus(id);
      while (last.code === 200) last = await pollStatus(id);
      // Observed: no request_id, and metrics with the times only.
      expect(last).toEqual({
        code: 422,
        body: {
          status: 'FAILED',
          error,
          metrics: { inference_time: expect.any(Number), queue_time: expect.any(Number) },
        },
      });
      const result = await call(`/v2/requests/${id}`);
      expect(result.status).toBe(422);
      expect(await result.json()).toMatchObject({ status: 'FAILED', error });
    }
    for (const [asked, kept] of [
      [1, 1],
      [2, 1],
      [3, 2],
      [4, 2],
    ]) {
      const result = await complete(await submit({ prompt: 'flagged cat', num_outputs: asked }));
      expect(result['images']).toHaveLength(kept!);
    }
  });

  it('forgets request ids after retention or expire(), while image files stay', async () => {
    await start({ retentionMs: 1000, now: () => clock });
    const id = await submit();
    await complete(id);
    const url = emu.job(id)!.imageUrls[0]!;
    clock += 1000;
    const gone = await call(`/v2/requests/${id}`);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({ error: `Request ${id} not found` });
    await download(url);
    clock -= 1000;
    const other = await submit();
    emu.expire(other);
    expect((await pollStatus(other)).code).toBe(404);
    expect(emu.job(other)!.expired).toBe(true);
  });

  it('measures how many jobs were running at once', async () => {
    const ids = [await submit(), await submit(), await submit()];
    for (const id of ids) await complete(id);
    await complete(await submit());
    expect(emu.maxConcurrentJobs()).toBe(3);
  });

  it('follows the clock in time mode', async () => {
    await start({ progress: 'time', queuedMs: 100, processingMs: 200, now: () => clock });
    const a = await submit();
    await submit();
    expect((await pollStatus(a)).body['status']).toBe('QUEUED');
    clock += 150;
    expect((await pollStatus(a)).body['status']).toBe('PROCESSING');
    clock += 150;
    expect((await pollStatus(a)).body['status']).toBe('COMPLETED');
    await submit();
    expect(emu.maxConcurrentJobs()).toBe(2);
  });
});

describe('v1 sync', () => {
  it('answers raw bytes with the v1 headers', async () => {
    const res = await call('/v1/flux-krea-dev', { body: { ...SMALL, output_format: 'jpg', seed: 7 } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    for (const name of ['x-remaining-credits', 'x-request-id', 'x-cost', 'x-generation-time']) {
      expect(res.headers.get(name)).toBeTruthy();
    }
    expect(res.headers.get('x-seed-value')).toBe('7');
    expect(inspectImage(Buffer.from(await res.arrayBuffer()))).toEqual({ format: 'jpg', width: 672, height: 384 });
    expect(emu.submits()).toBe(1);
  });

  it('answers JSON with base64 (one or several) or URLs when switched', async () => {
    emu.configure({ v1Shape: 'json-base64' });
    const one = (await (await call('/v1/flux-krea-dev', { body: SMALL })).json()) as { image: string };
    expect(inspectImage(Buffer.from(one.image, 'base64')).format).toBe('png');
    const two = (await (await call('/v1/flux-krea-dev', { body: { ...SMALL, num_outputs: 2 } })).json()) as {
      images: string[];
    };
    expect(two.images).toHaveLength(2);
    emu.configure({ v1Shape: 'json-urls' });
    const urls = (await (await call('/v1/flux-krea-dev', { body: { ...SMALL, output_format: 'webp' } })).json()) as {
      images: string[];
    };
    expect(urls.images[0]!.startsWith(`${emu.imageHost}/images/`)).toBe(true);
    expect(inspectImage(await download(urls.images[0]!)).format).toBe('webp');
  });

  it('fails with 500 (the model ran and failed), and can lose the answer after creating the job', async () => {
    const failed = await call('/v1/flux-krea-dev', { body: { ...SMALL, prompt: 'explode' } });
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ error: 'CUDA out of memory' });
    emu.fault({ route: 'submit-v1', kind: { type: 'after-create', status: 500 } });
    expect((await call('/v1/flux-krea-dev', { body: SMALL })).status).toBe(500);
    expect(emu.submits()).toBe(2);
  });

  it('waits queuedMs + processingMs in time mode', async () => {
    await start({ progress: 'time', queuedMs: 20, processingMs: 20 });
    const started = performance.now();
    expect((await call('/v1/flux-krea-dev', { body: SMALL })).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(35);
  });
});

describe('upload', () => {
  const png = 'data:image/png;base64,' + Buffer.from('fake png bytes').toString('base64');
  it.each(['file_urls', 'urls'] as const)('stores data URLs and answers %s', async (shape) => {
    emu.configure({ uploadShape: shape });
    const res = await fetch(emu.uploadUrl, {
      method: 'POST',
      headers: { 'x-api-key': emu.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ data_urls: [png] }),
    });
    // JSON, labelled text/plain by default as upstream may; json when switched.
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const body = JSON.parse(await res.text()) as Record<string, string[]>;
    expect(Object.keys(body)).toContain(shape);
    const url = body[shape]![0]!;
    expect(url).toMatch(new RegExp(`^${emu.imageHost}/uploads/.+\\.png$`));
    expect((await download(url)).toString()).toBe('fake png bytes');
  });

  it('labels its JSON answer application/json when switched', async () => {
    emu.configure({ uploadContentType: 'json' });
    const res = await call('/upload-asset', { body: { data_urls: [png] } });
    expect(res.headers.get('content-type')).toBe('application/json');
  });

  it('rejects an entry that is not a data URL', async () => {
    const res = await call('/upload-asset', { body: { data_urls: [png, 'https://example.com/x.png'] } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain('data_urls[1]');
  });
});

describe('rate limit', () => {
  it.each([
    ['retry-after', ['retry-after']],
    ['reset-at', ['x-rate-limit-reset-at-utc']],
    ['both', ['retry-after', 'x-rate-limit-reset-at-utc']],
    ['none', []],
  ] as const)('limits submits per minute with header %s', async (header, expected) => {
    emu.configure({ rateLimit: { perMinute: 2, header } });
    await submit();
    clock += 10_000;
    await submit();
    const limited = await call('/v2/flux-krea-dev', { body: SMALL });
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual({ error: 'Rate limit exceeded. Please try again later.' });
    const present = ['retry-after', 'x-rate-limit-reset-at-utc'].filter((h) => limited.headers.has(h));
    expect(present).toEqual(expected);
    if (header === 'retry-after' || header === 'both') expect(limited.headers.get('retry-after')).toBe('50');
    if (header === 'reset-at' || header === 'both') {
      expect(limited.headers.get('x-rate-limit-reset-at-utc')).toBe(new Date(1_000_000 + 60_000).toISOString());
    }
    clock += 50_000;
    await submit();
    expect(emu.submits()).toBe(3);
  });
});

describe('faults', () => {
  it('answers a scripted status (HTML 500) without creating a job, FIFO and `times`', async () => {
    emu.fault({ route: 'submit', kind: { type: 'status', status: 500, body: '<html>oops</html>' } });
    emu.fault({ route: 'submit', times: 2, kind: { type: 'status', status: 429, headers: { 'retry-after': '1' } } });
    const first = await call('/v2/flux-krea-dev', { body: SMALL });
    expect([first.status, first.headers.get('content-type'), await first.text()]).toEqual([
      500,
      'text/html',
      '<html>oops</html>',
    ]);
    for (let i = 0; i < 2; i++) {
      const res = await call('/v2/flux-krea-dev', { body: SMALL });
      expect([res.status, res.headers.get('retry-after')]).toEqual([429, '1']);
      expect(await res.json()).toEqual({ error: 'Too Many Requests' });
    }
    expect(emu.submits()).toBe(0);
    await submit();
    expect(emu.submits()).toBe(1);
  });

  it('targets routes: a status fault skips other routes, `any` hits the next request', async () => {
    const id = await submit();
    emu.fault({ route: 'status', kind: { type: 'status', status: 503 } });
    expect((await call(`/v2/requests/${id}`)).status).toBe(200);
    expect((await pollStatus(id)).code).toBe(503);
    emu.fault({ route: 'any', kind: { type: 'status', status: 502 } });
    expect((await call('/v1/get-user-credits')).status).toBe(502);
  });

  it('resets the connection before answering', async () => {
    emu.fault({ route: 'submit', kind: { type: 'reset' } });
    await expect(call('/v2/flux-krea-dev', { body: SMALL })).rejects.toThrow();
    expect(emu.submits()).toBe(0);
  });

  it('creates the job and loses the answer (after-create)', async () => {
    emu.fault({ route: 'submit', kind: { type: 'after-create', status: 504 } });
    const res = await call('/v2/flux-krea-dev', { body: SMALL });
    expect(res.status).toBe(504);
    expect(emu.submits()).toBe(1);
    expect((await (await call('/v1/get-user-credits')).json()) as object).toMatchObject({ credits: 99.99 });
  });

  it('breaks image downloads: truncate, reset-mid-body, corrupt', async () => {
    const result = await complete(await submit());
    const url = result['output'] as string;
    const whole = await download(url);
    emu.fault({ route: 'image', kind: { type: 'truncate' } });
    const truncated = await rawGet(url);
    expect(truncated).toMatchObject({
      status: 200,
      declared: whole.length,
      received: Math.floor(whole.length / 2),
      complete: false,
    });
    emu.fault({ route: 'image', kind: { type: 'reset-mid-body' } });
    const reset = await rawGet(url);
    expect(reset.complete).toBe(false);
    expect(reset.received).toBeLessThan(whole.length);
    emu.fault({ route: 'image', kind: { type: 'corrupt' } });
    const corrupt = await download(url);
    expect(corrupt.length).toBe(whole.length);
    expect(() => inspectImage(corrupt)).toThrow(/invalid image/);
    expect(await download(url)).toEqual(whole);
    expect(emu.log.filter((e) => e.server === 'images').every((e) => e.headers['x-api-key'] === undefined)).toBe(true);
  });

  it('serves invalid JSON, huge bodies and results without images', async () => {
    const id = await submit();
    emu.fault({ route: 'status', kind: { type: 'invalid-json' } });
    const broken = await call(`/v2/requests/${id}/status`);
    expect(broken.status).toBe(200);
    await expect(broken.json()).rejects.toThrow();
    emu.fault({ route: 'result', kind: { type: 'huge', bytes: 3_000_000 } });
    const huge = await call(`/v2/requests/${id}`);
    const text = await huge.text();
    expect(text.length).toBe(3_000_000);
    expect(JSON.parse(text)).toMatchObject({ status: 'COMPLETED' });
    emu.fault({ route: 'result', kind: { type: 'no-image' } });
    const empty = (await (await call(`/v2/requests/${id}`)).json()) as Record<string, unknown>;
    expect(empty['status']).toBe('COMPLETED');
    expect(empty).not.toHaveProperty('images');
    expect(empty).not.toHaveProperty('output');
  });

  it('stalls for ms, then answers normally', async () => {
    emu.fault({ route: 'credits', kind: { type: 'stall', ms: 30 } });
    const started = performance.now();
    expect((await call('/v1/get-user-credits')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('closes quickly with a request stalled forever', async () => {
    emu.fault({ route: 'credits', kind: { type: 'stall' } } satisfies FaultSpec);
    const pending = call('/v1/get-user-credits').then(
      () => 'answered',
      () => 'failed',
    );
    while (emu.log.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const started = performance.now();
    await emu.close();
    expect(performance.now() - started).toBeLessThan(500);
    expect(await pending).toBe('failed');
    expect(emu.log[0]!.status).toBe(0);
  });
});

describe('images', () => {
  const cases = [
    ['png', '16:9', '1', 1344, 768],
    ['jpg', '2:3', '0.25', 416, 608],
    ['webp', '21:9', '0.25', 768, 320],
    ['jpg', '1:1', '1', 1024, 1024],
  ] as const;
  it.each(cases)('makes a real %s for %s at %s MP', async (format, aspect_ratio, megapixels, width, height) => {
    const result = await complete(await submit({ output_format: format, aspect_ratio, megapixels }));
    const res = await fetch(result['output'] as string);
    expect(res.headers.get('content-type')).toBe({ png: 'image/png', jpg: 'image/jpeg', webp: 'image/webp' }[format]);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(Number(res.headers.get('content-length'))).toBe(bytes.length);
    expect(inspectImage(bytes)).toEqual({ format, width, height });
  });

  it('answers HEAD with the length only, and unknown files with a 404 that is not JSON', async () => {
    const url = (await complete(await submit()))['output'] as string;
    const head = await fetch(url, { method: 'HEAD' });
    expect(Number(head.headers.get('content-length'))).toBe((await download(url)).length);
    expect((await head.arrayBuffer()).byteLength).toBe(0);
    const missing = await fetch(`${emu.imageHost}/images/nope.png`);
    expect([missing.status, missing.headers.get('content-type')]).toEqual([404, 'application/xml']);
  });

  it('uses 1024x1024 for img2img', async () => {
    const id = await submit({ image: 'https://example.com/in.png', megapixels: '1', aspect_ratio: '16:9' });
    expect(emu.job(id)).toMatchObject({ width: 1024, height: 1024 });
  });

  it.each(['png', 'jpg', 'webp'] as const)('pads a %s to a larger, still valid file', async (format) => {
    const id = await submit({ output_format: format });
    const url = (await complete(id))['output'] as string;
    const plain = await download(url);
    emu.configure({ imagePadBytes: 300_000 });
    const padded = await download(url);
    expect(padded.length).toBe(plain.length + 300_000);
    expect(inspectImage(padded)).toEqual(inspectImage(plain));
  });

  it('is deterministic by seed and prompt', async () => {
    const bytesFor = async (params: Record<string, unknown>): Promise<Buffer> =>
      download((await complete(await submit(params)))['output'] as string);
    const a = await bytesFor({ seed: 5 });
    expect(await bytesFor({ seed: 5 })).toEqual(a);
    expect((await bytesFor({ seed: 6 })).equals(a)).toBe(false);
    expect((await bytesFor({ seed: 5, prompt: 'another' })).equals(a)).toBe(false);
  });
});

describe('log and CLI arguments', () => {
  it('logs every request with headers, parsed body and status', async () => {
    await call('/v2/flux-krea-dev', { body: SMALL });
    expect(emu.log).toHaveLength(1);
    expect(emu.log[0]).toMatchObject({
      server: 'api',
      method: 'POST',
      path: '/v2/flux-krea-dev',
      body: SMALL,
      status: 200,
      time: clock,
      headers: { 'x-api-key': emu.apiKey, 'content-type': 'application/json' },
    });
  });

  it('parses serve.ts flags', () => {
    expect(
      parseServeArgs([
        '--port',
        '8080',
        '--progress',
        'time',
        '--queued-ms',
        '5',
        '--v2-shape',
        'base64',
        '--pad-bytes',
        '10',
      ]),
    ).toEqual({
      port: 8080,
      config: { progress: 'time', queuedMs: 5, v2ResultShape: 'base64', imagePadBytes: 10 },
    });
    expect(() => parseServeArgs(['--v1-shape', 'xml'])).toThrow(/v1-shape/);
    expect(() => parseServeArgs(['--nope'])).toThrow();
  });

  it('starts from main(), prints one JSON line and drops its signal handlers on close', async () => {
    const before = process.listenerCount('SIGINT');
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const served = await main(['--v2-shape', 'base64']).finally(() => spy.mockRestore());
    try {
      const { url, uploadUrl, imageHost, apiKey } = served;
      expect(lines).toEqual([`${JSON.stringify({ url, uploadUrl, imageHost, apiKey })}\n`]);
      expect(process.listenerCount('SIGINT')).toBe(before + 1);
    } finally {
      await served.close();
    }
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});

describe('the real service, variant by variant (issue 11)', () => {
  it.each([
    ['iso', new Date(1_060_000).toISOString()],
    ['iso-space', new Date(1_060_000).toISOString().replace('T', ' ').replace('Z', '+00:00')],
    ['iso-no-zone', new Date(1_060_000).toISOString().replace('Z', '')],
    ['epoch-s', '1060'],
    ['epoch-ms', '1060000'],
  ] as const)(
    'limits every route, polls included, with only x-rate-limit-reset-at-utc (%s)',
    async (resetFormat, expected) => {
      const id = await submit();
      emu.configure({ rateLimit: { perMinute: 1, header: 'reset-at', routes: 'all', resetFormat } });
      expect((await pollStatus(id)).code).toBe(200);
      const limited = await call(`/v2/requests/${id}/status`);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBeNull();
      expect(limited.headers.get('x-rate-limit-reset-at-utc')).toBe(expected);
      expect((await call('/v1/get-user-credits')).status).toBe(429);
    },
  );

  it.each([
    ['message', { message: 'Your account does not have access to this model' }],
    ['detail', { detail: 'Your account does not have access to this model' }],
    ['html-message', { 'html-message': '<p>Your account does not have access to this model</p>' }],
    [
      'error_description',
      {
        error: 'request_failed',
        error_description: 'Your account does not have access to this model',
        status_code: 403,
      },
    ],
    ['error_message', { error_message: { message: 'Your account does not have access to this model', code: 403 } }],
  ] as const)('puts error details under %s', async (errorKey, body) => {
    await start({ errorKey, forbidden: true, now: () => clock });
    const res = await call('/v2/flux-krea-dev', { body: SMALL });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual(body);
  });

  it('charges jobs against the balance at the configured price', async () => {
    await start({ credits: 1, costPerImage: 0.25, now: () => clock });
    await submit({ num_outputs: 2 });
    expect(await (await call('/v1/get-user-credits')).json()).toMatchObject({ credits: 0.5 });
    expect((await call('/v2/flux-krea-dev', { body: { ...SMALL, num_outputs: 3 } })).status).toBe(402);
  });

  it('reaches every variant from serve.ts flags', () => {
    expect(
      parseServeArgs([
        '--error-key',
        'html-message',
        '--validation',
        'before',
        '--no-status-url',
        '--upload-content-type',
        'json',
        '--cost-per-image',
        '0.5',
        '--rate-limit',
        '5',
        '--rate-limit-routes',
        'all',
        '--reset-format',
        'epoch-s',
        '--v2-shape',
        'output-json-string',
      ]).config,
    ).toEqual({
      errorKey: 'html-message',
      validation: 'before',
      omitStatusUrl: true,
      uploadContentType: 'json',
      costPerImage: 0.5,
      rateLimit: { perMinute: 5, header: 'reset-at', routes: 'all', resetFormat: 'epoch-s' },
      v2ResultShape: 'output-json-string',
    });
    expect(() => parseServeArgs(['--reset-format', 'rfc'])).toThrow(/reset-format/);
  });
});
