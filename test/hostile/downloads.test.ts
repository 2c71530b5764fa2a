/**
 * Issue 12 item 8: a download is bounded in time as well as size. A slow drip that never
 * stalls long enough for a socket timeout still ends at the deadline (`--timeout`), as a
 * DeadlineError that keeps the request id; a host that goes silent mid-body is cut after the
 * stall timeout and retried. No partial file is left either way.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { saveImage } from '../../src/output/download.js';
import { DeadlineError } from '../../src/errors.js';
import { renderImage } from '../emulator/images/index.js';
import { scriptedServer, type Scripted } from '../helpers/scripted-server.js';

const png = renderImage({ format: 'png', width: 64, height: 64, quality: 90, key: 'x' }).bytes;

let dir: string;
let srv: Scripted | undefined;
const timers: NodeJS.Timeout[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flux-krea-dl-hostile-'));
});
afterEach(async () => {
  timers.forEach(clearInterval);
  await srv?.close();
  srv = undefined;
  await rm(dir, { recursive: true, force: true });
});
const noWait = async () => undefined;

describe('downloads are bounded in time', () => {
  it('a slow drip (a byte every 50 ms, never silent long) ends at the deadline, request id kept, no file left', async () => {
    srv = await scriptedServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      let i = 0;
      timers.push(setInterval(() => res.write(png.subarray(i, ++i)), 50));
    });
    const started = Date.now();
    const err = await saveImage(
      { kind: 'url', url: `${srv.url}/drip.png` },
      {
        dir,
        stem: 'img',
        requestId: 'r1',
        retries: 2,
        sleep: noWait,
        deadline: Date.now() + 600,
        stallMs: 5_000,
      },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeadlineError);
    expect((err as DeadlineError).requestId).toBe('r1');
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(await readdir(dir)).toEqual([]);
  });

  it('a host that goes silent mid-body is cut after the stall timeout and retried; the retry saves the image', async () => {
    let calls = 0;
    srv = await scriptedServer((_req, res) => {
      calls++;
      res.writeHead(200, { 'content-type': 'image/png' });
      if (calls === 1)
        res.write(png.subarray(0, 100)); // then silence
      else res.end(png);
    });
    const started = Date.now();
    const saved = await saveImage(
      { kind: 'url', url: `${srv.url}/stall.png` },
      {
        dir,
        stem: 'img',
        requestId: 'r1',
        retries: 2,
        sleep: noWait,
        stallMs: 300,
      },
    );
    expect(calls).toBe(2);
    expect(saved.bytes).toBe(png.length);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect((await readdir(dir)).sort()).toEqual(['img.png']);
  });

  it('a host that never sends headers is cut after the stall timeout too', async () => {
    srv = await scriptedServer(() => undefined);
    const err = await saveImage(
      { kind: 'url', url: `${srv.url}/never.png` },
      {
        dir,
        stem: 'img',
        requestId: 'r1',
        retries: 1,
        sleep: noWait,
        stallMs: 300,
      },
    ).catch((e: unknown) => e as Error);
    expect((err as Error).message).toMatch(/no data for 0\.3 s|stalled/);
    expect(srv.requests.length).toBe(2);
    expect(await readdir(dir)).toEqual([]);
  });
});
