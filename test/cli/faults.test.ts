/**
 * Fault injection: the CLI against an emulator scripted to misbehave. Each case asserts
 * the exit code, the message, that files are complete and valid, the journal, and the number
 * of billed submits (exactly one paid job per generation, never two).
 *
 * The CLI runs in-process, and its waits (retry backoff, Retry-After, polls) go through a
 * recording stand-in for abortableSleep that returns at once: the tests assert the waits the
 * CLI asked for instead of spending them on the wall clock (test/unit/sleep.test.ts shows
 * that the real one waits).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { FAST, sandbox, type Sandbox } from '../helpers/cli.js';
import { runMain, type MainResult as Result } from '../helpers/main.js';
import { imageInfo } from '../helpers/images.js';

const sleeps = vi.hoisted(() => [] as { ms: number; at: number }[]);
vi.mock('../../src/util/sleep.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/util/sleep.js')>();
  // A turn of the event loop instead of the wait, with the same abort behaviour.
  return {
    ...real,
    abortableSleep: (ms: number, signal?: AbortSignal) => {
      sleeps.push({ ms, at: Date.now() });
      return real.abortableSleep(0, signal);
    },
  };
});
/** The waits the CLI asked for that are not polls (FAST polls every 10 ms). */
const longWaits = () => sleeps.filter((s) => s.ms > 100);

let emu: Emulator;
let sb: Sandbox;
const outputs: string[] = [];

async function cli(args: string[]): Promise<Result> {
  const r = await runMain([...args, '-o', sb.outDir, ...FAST], sb);
  outputs.push(String(r.stdout), String(r.stderr));
  return r;
}
const posts = (path = '/v2/flux-krea-dev') => emu.log.filter((l) => l.method === 'POST' && l.path === path);
const gets = (suffix: string) => emu.log.filter((l) => l.method === 'GET' && l.path.endsWith(suffix));
const jobs = async () => JSON.parse(String((await runMain(['jobs', '--json'], sb)).stdout)).jobs;

async function expectSaved(r: Result, n: number): Promise<string[]> {
  expect(r.exitCode, String(r.stderr)).toBe(0);
  const files = String(r.stdout).trim().split('\n');
  expect(files).toHaveLength(n);
  for (const f of files) await imageInfo(f); // throws on a truncated or non-image file
  expect(emu.submits()).toBe(1);
  expect((await jobs())[0]).toMatchObject({ state: 'saved', files });
  return files;
}

// A fresh emulator per test: a fault one test scripted but did not use never leaks into the next.
beforeEach(async () => {
  sleeps.length = 0;
  emu = await startEmulator();
  sb = await sandbox(emu);
});
afterEach(async () => {
  // Nothing is ever left half-written, whatever happened.
  const left = await readdir(sb.outDir).catch(() => []);
  expect(left.filter((f) => f.startsWith('.') || f.endsWith('.part'))).toEqual([]);
  // The key never appears in anything the CLI printed.
  for (const o of outputs) expect(o).not.toContain(emu.apiKey);
  outputs.length = 0;
  await sb.cleanup();
  await emu.close();
});

const billed = () => emu.submits();

describe('429 storms', () => {
  it('honours Retry-After on submit: waits, retries, one paid job', async () => {
    emu.fault({ route: 'submit', times: 2, kind: { type: 'status', status: 429, headers: { 'retry-after': '1' } } });
    const r = await cli(['storm', '-n', '1']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(billed()).toBe(1);
    expect(posts()).toHaveLength(3);
    // The CLI waited as asked before each retry.
    expect(longWaits().map((w) => w.ms)).toEqual([1000, 1000]);
    expect(String(r.stderr)).toMatch(/HTTP 429; retry 1 in 1\.0s/);
  });

  it('honours x-rate-limit-reset-at-utc', async () => {
    const reset = new Date(Date.now() + 1200).toISOString();
    emu.fault({
      route: 'submit',
      times: 1,
      kind: { type: 'status', status: 429, headers: { 'x-rate-limit-reset-at-utc': reset } },
    });
    const r = await cli(['reset header', '-n', '1']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(posts()).toHaveLength(2);
    // One wait, until the reset time.
    const [wait, ...more] = longWaits();
    expect(more).toEqual([]);
    expect(wait!.at + wait!.ms).toBeGreaterThanOrEqual(Date.parse(reset) - 50);
    expect(wait!.ms).toBeGreaterThan(500);
    expect(billed()).toBe(1);
  });

  it('rate limited even after retrying: exit 5, nothing billed', async () => {
    emu.fault({ route: 'submit', times: 10, kind: { type: 'status', status: 429, headers: { 'retry-after': '0' } } });
    const r = await cli(['always limited', '--retries', '2']);
    expect(r.exitCode).toBe(5);
    expect(posts()).toHaveLength(3);
    expect(billed()).toBe(0);
    expect(String(r.stderr)).toMatch(/Rate limited/);
  });

  it('a 429 on polls is ridden through', async () => {
    emu.fault({ route: 'status', times: 2, kind: { type: 'status', status: 429, headers: { 'retry-after': '0' } } });
    await expectSaved(await cli(['poll storm', '-n', '1']), 1);
  });
});

describe('5xx and HTML errors', () => {
  it('HTML 503 pages on status and result are retried', async () => {
    emu.fault({
      route: 'status',
      times: 2,
      kind: { type: 'status', status: 503, body: '<html><body>Service Unavailable</body></html>' },
    });
    emu.fault({
      route: 'result',
      times: 1,
      kind: { type: 'status', status: 502, body: '<!DOCTYPE html><p>Bad gateway</p>' },
    });
    const r = await cli(['html errors']);
    await expectSaved(r, 2);
    expect(String(r.stderr)).not.toContain('<html');
  });

  it('a submit answered 500 (the job was not created) is retried: one paid job', async () => {
    emu.fault({ route: 'submit', times: 1, kind: { type: 'status', status: 500 } });
    await expectSaved(await cli(['retry submit', '-n', '1']), 1);
    expect(posts()).toHaveLength(2);
  });

  it('a submit answered 504 is never retried: the job may exist; we say so', async () => {
    emu.fault({ route: 'submit', kind: { type: 'after-create', status: 504 } });
    const r = await cli(['gateway timeout', '-n', '1']);
    expect(r.exitCode).toBe(1);
    expect(posts()).toHaveLength(1);
    expect(billed()).toBe(1);
    expect(String(r.stderr)).toMatch(/may have been created/);
  });

  it('a connection reset on submit is not retried (it may have been received)', async () => {
    emu.fault({ route: 'submit', kind: { type: 'reset' } });
    const r = await cli(['reset submit', '-n', '1']);
    expect(r.exitCode).toBe(1);
    expect(posts()).toHaveLength(1);
    expect(String(r.stderr)).toMatch(/may have been created/);
  });

  it('retries stop at --retries on polls and end with the request id and resume command', async () => {
    emu.fault({ route: 'status', times: 50, kind: { type: 'status', status: 500, headers: { 'retry-after': '0' } } });
    const r = await cli(['broken polls', '--retries', '2']);
    expect(r.exitCode).toBe(1);
    const id = (await jobs())[0].request_id as string;
    expect(String(r.stderr)).toContain(`flux-krea result ${id} -o ${sb.outDir}`);
    expect(gets('/status')).toHaveLength(3);
    expect((await jobs())[0]).toMatchObject({ state: 'submitted' });
  });
});

describe('broken connections and answers', () => {
  it('a connection reset mid-body on the result is retried', async () => {
    emu.fault({ route: 'result', kind: { type: 'reset-mid-body' } });
    await expectSaved(await cli(['reset mid body']), 2);
  });

  it('a stalled status request times out (--request-timeout) and is retried', async () => {
    emu.fault({ route: 'status', kind: { type: 'stall' } });
    const r = await cli(['a stalled status', '-n', '1', '--request-timeout', '1']);
    await expectSaved(r, 1);
    expect(String(r.stderr)).toMatch(/No answer from .* in time/);
  });

  it('invalid JSON and HTML with status 200 on polls are retried', async () => {
    emu.fault({ route: 'status', kind: { type: 'invalid-json' } });
    emu.fault({
      route: 'status',
      kind: { type: 'status', status: 200, body: '<html>maintenance</html>', contentType: 'text/html' },
    });
    await expectSaved(await cli(['garbled', '-n', '1']), 1);
  });

  it('a huge status body is refused, not read into memory', async () => {
    emu.fault({ route: 'status', times: 10, kind: { type: 'huge', bytes: 5 * 1024 * 1024 } });
    const r = await cli(['huge', '--retries', '1']);
    expect(r.exitCode).toBe(1);
    expect(String(r.stderr)).toMatch(/larger than 1 MB/);
    expect(String(r.stderr)).toMatch(/flux-krea result /);
  });

  it('a completed job with no image: a clear error with the resume command', async () => {
    emu.fault({ route: 'result', kind: { type: 'no-image' } });
    const r = await cli(['no image']);
    expect(r.exitCode).toBe(1);
    expect(String(r.stderr)).toMatch(/returned no image/);
    expect(String(r.stderr)).toMatch(/flux-krea result [0-9a-f]{32}/);
  });
});

describe('downloads that cannot corrupt', () => {
  it('a truncated download is detected by its length and retried', async () => {
    emu.fault({ route: 'image', kind: { type: 'truncate' } });
    const r = await cli(['truncated', '-n', '2', '-f', 'png']);
    await expectSaved(r, 2);
    expect(emu.log.filter((l) => l.server === 'images')).toHaveLength(3);
    expect(String(r.stderr)).toMatch(/cut off/);
  });

  it('a download that is not an image is detected by its first bytes and retried', async () => {
    emu.fault({ route: 'image', kind: { type: 'corrupt' } });
    const r = await cli(['corrupt', '-n', '1', '-f', 'webp']);
    await expectSaved(r, 1);
    expect(String(r.stderr)).toMatch(/not an image/);
  });

  it('a download that keeps failing: exit 1, nothing half-written, the job can be fetched later', async () => {
    // Exactly as many faults as the first run's attempts (1 + --retries 1): the later `result` gets a clean download.
    emu.fault({ route: 'image', times: 2, kind: { type: 'truncate' } });
    const r = await cli(['always cut', '-n', '1', '--retries', '1']);
    expect(r.exitCode).toBe(1);
    const id = (await jobs())[0].request_id as string;
    expect(String(r.stderr)).toContain(`flux-krea result ${id}`);
    expect(await readdir(sb.outDir)).toEqual([]);
    const again = await runMain(['result', id, ...FAST], sb);
    expect(again.exitCode, String(again.stderr)).toBe(0);
    expect(billed()).toBe(1);
  });

  it('an image host 404 for one of two images: the other is saved and printed, the job stays fetchable', async () => {
    emu.fault({
      route: 'image',
      kind: {
        type: 'status',
        status: 404,
        body: '<Error><Code>NoSuchKey</Code></Error>',
        contentType: 'application/xml',
      },
    });
    const r = await cli(['half there', '-n', '2']);
    expect(r.exitCode).toBe(1);
    expect(String(r.stderr)).toMatch(/Downloading 127\.0\.0\.1:\d+\/images\/.* failed: HTTP 404/);
    expect(String(r.stderr)).toContain('1 of 2 images were saved');
    expect(String(r.stderr)).toMatch(/flux-krea result [0-9a-f]{32}/);
    expect(String(r.stderr)).not.toMatch(/expired/);
    const saved = String(r.stdout).trim().split('\n');
    expect(saved).toHaveLength(1);
    await imageInfo(saved[0]!);
    expect((await jobs())[0]).toMatchObject({ state: 'partial', files: saved, fetchable: true });
  });

  it('an output directory that cannot be created: named in the error, nothing submitted', async () => {
    const file = join(sb.dir, 'a-file');
    await writeFile(file, 'x');
    const r = await runMain(['x', '-o', join(file, 'sub'), ...FAST], sb);
    expect(r.exitCode).toBe(1);
    expect(String(r.stderr)).toContain(join(file, 'sub'));
    expect(posts()).toHaveLength(0);
  });
});
