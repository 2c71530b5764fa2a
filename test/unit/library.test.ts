/**
 * The library as a script author calls it, in-process against the emulator: the README's
 * calls, defaults from the schema, the environment, validation before any request, resuming
 * by id, and errors that keep the request id.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../emulator/index.js';
import {
  DeadlineError,
  MissingKeyError,
  SegmindClient,
  UsageError,
  JobFailedError,
  readEmbedded,
  type JobStatus,
} from '../../src/index.js';
import * as library from '../../src/index.js';

let emu: Emulator;
let dir: string;
const submits = () => emu.log.filter((l) => l.method === 'POST' && l.path === '/v2/flux-krea-dev');

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flux-krea-lib-'));
  emu.log.length = 0;
  vi.stubEnv('SEGMIND_API_KEY', emu.apiKey);
  vi.stubEnv('SEGMIND_BASE_URL', emu.url);
  vi.stubEnv('SEGMIND_UPLOAD_URL', emu.uploadUrl);
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
});

describe('the library', () => {
  it('new SegmindClient() reads SEGMIND_API_KEY and SEGMIND_BASE_URL; generate() applies the schema defaults and saves', async () => {
    const client = new SegmindClient();
    const statuses: string[] = [];
    const out = join(dir, 'art');
    const { files, seed, requestId, params } = await client.generate(
      { prompt: 'a paper boat', aspect_ratio: '21:9' },
      { out, intervalMs: 5, onStatus: (s) => statuses.push(s) },
    );
    await client.close();
    expect(files).toHaveLength(2);
    expect((await readdir(out)).sort()).toEqual(files.map((f) => f.path.slice(out.length + 1)).sort());
    expect(submits()).toHaveLength(1);
    expect(submits()[0]!.headers['x-api-key']).toBe(emu.apiKey);
    // Exactly the schema's defaults, and the seed that was picked, went on the wire.
    expect(submits()[0]!.body).toEqual({
      prompt: 'a paper boat',
      aspect_ratio: '21:9',
      megapixels: '1',
      num_outputs: 2,
      guidance: 7,
      num_inference_steps: 40,
      output_format: 'jpg',
      output_quality: 90,
      go_fast: true,
      disable_safety_checker: false,
      seed,
    });
    expect(params.seed).toBe(seed);
    expect(emu.job(requestId!)?.params).toMatchObject({ aspect_ratio: '21:9' });
    expect(statuses).toContain('COMPLETED');
  });

  it('submit() → job.wait({ onStatus }) → the URLs, then save() with embedded provenance', async () => {
    const client = new SegmindClient();
    const job = await client.submit({ prompt: 'a fox', num_outputs: 1, output_format: 'png', seed: 7 });
    expect(job.params).toMatchObject({ prompt: 'a fox', seed: 7, aspect_ratio: '16:9' });
    const seen: JobStatus[] = [];
    const result = await job.wait({ onStatus: (s) => seen.push(s), intervalMs: 5 });
    expect(seen[0]).toBe('QUEUED');
    expect(seen.at(-1)).toBe('COMPLETED');
    expect(result.requestId).toBe(job.requestId);
    expect(result.urls).toHaveLength(1);
    expect(result.urls[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    const files = await result.save({ out: dir, metadata: 'embed' });
    expect(files).toHaveLength(1);
    expect(files[0]!.path).toMatch(/a-fox-7-1\.png$/);
    expect(await readEmbedded(files[0]!.path)).toMatchObject({ prompt: 'a fox', seed: 7, request_id: job.requestId });
    await client.close();
  });

  it('client.job(id) resumes a job submitted elsewhere, without a new submit', async () => {
    const client = new SegmindClient({ apiKey: emu.apiKey, baseUrl: emu.url });
    const { requestId } = await client.submit({ prompt: 'later', num_outputs: 1 });
    const result = await client.job(requestId).wait({ intervalMs: 5 });
    expect(result.urls).toHaveLength(1);
    expect(submits()).toHaveLength(1);
    expect(() => client.job('no spaces allowed')).toThrow(UsageError);
    await client.close();
  });

  it.each([
    [{ prompt: 'x', num_outputs: 9 }, /num_outputs = 9: Too big/],
    [{ prompt: 'x', aspect_ratio: '22:9' }, /aspect_ratio = "22:9": .*"21:9"/],
    [{ prompt: '  ' }, /prompt = " {2}": must not be empty/],
    [{ prompt: '\u200b' }, /prompt = "\u200b": must have a visible character/],
    [{ prompt: 'x', guidance: Number.NaN }, /guidance = NaN: /],
    [{ prompt: 'x', num_outputs: Number.POSITIVE_INFINITY }, /num_outputs = Infinity: /],
    [{ prompt: 'x', steps: 3 }, /unknown parameter "steps" \(known: prompt, aspect_ratio/],
    [
      { prompt: 'x', image: join(import.meta.dirname, 'library.test.ts') },
      /image = ".*library\.test\.ts": is not a PNG, JPEG, WebP or GIF file/,
    ],
  ])('rejects %j with a UsageError naming the parameter, before any request', async (params, message) => {
    const client = new SegmindClient();
    const err = await client.submit(params as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toMatch(/--/);
    expect(emu.log).toEqual([]);
  });

  it('without a key: MissingKeyError at construction', () => {
    vi.stubEnv('SEGMIND_API_KEY', '');
    expect(() => new SegmindClient()).toThrow(MissingKeyError);
    expect(() => new SegmindClient({ apiKey: 'SG_1 2' })).toThrow(/cannot be sent/);
  });

  it('a deadline ends the wait with DeadlineError carrying the request id; a FAILED job is a JobFailedError', async () => {
    emu.configure({ queuedPolls: 1000 });
    try {
      const client = new SegmindClient();
      const job = await client.submit({ prompt: 'slow', num_outputs: 1 });
      const err = await job.wait({ timeoutMs: 50, intervalMs: 5 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DeadlineError);
      expect(err).toMatchObject({ requestId: job.requestId, kind: 'deadline' });
      expect((err as Error).message).not.toMatch(/--timeout/);
    } finally {
      emu.configure({ queuedPolls: 1 });
    }
    const client = new SegmindClient();
    const failing = await client.submit({ prompt: 'x', num_outputs: 1, guidance: 10 });
    emu.fault({
      route: 'status',
      kind: {
        type: 'status',
        status: 422,
        body: JSON.stringify({ status: 'FAILED', error: 'NSFW content' }),
        contentType: 'application/json',
      },
    });
    const failed = await failing.wait({ intervalMs: 5 }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(JobFailedError);
    expect(failed).toMatchObject({ status: 422, detail: 'NSFW content', requestId: failing.requestId });
  });

  it('exports the curated surface only: no internals', () => {
    expect(Object.keys(library).sort()).toEqual([
      'ASPECT_RATIOS',
      'ApiError',
      'AuthenticationError',
      'BadRequestError',
      'ConnectionError',
      'DeadlineError',
      'FluxKreaError',
      'InsufficientCreditsError',
      'InterruptedError',
      'JobFailedError',
      'MEGAPIXELS',
      'MissingKeyError',
      'ModelFailedError',
      'ModelRetiredError',
      'NotFoundError',
      'OUTPUT_FORMATS',
      'OutputError',
      'PermissionDeniedError',
      'ProtocolError',
      'RateLimitError',
      'RequestTimeoutError',
      'SegmindClient',
      'ServerError',
      'UsageError',
      'VERSION',
      'isFluxKreaError',
      'readEmbedded',
      'readSidecar',
    ]);
    const client = new SegmindClient();
    expect(Object.keys(client)).toEqual([]);
    expect('http' in client).toBe(false);
  });
});
