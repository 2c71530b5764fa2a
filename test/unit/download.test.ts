/**
 * Image downloads against scripted image hosts: redirects (only to https or within the origin,
 * a few hops, never with the key), bounded size, whole images only, no host body echoed.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isWholeImage, redirectTarget, saveImage } from '../../src/output/download.js';
import { renderImage } from '../emulator/images/index.js';
import { scriptedServer, type Scripted } from '../helpers/scripted-server.js';

const png = renderImage({ format: 'png', width: 64, height: 64, quality: 90, key: 'x' }).bytes;
const jpg = renderImage({ format: 'jpg', width: 64, height: 64, quality: 90, key: 'x' }).bytes;
const webp = renderImage({ format: 'webp', width: 64, height: 64, quality: 90, key: 'x' }).bytes;

let dir: string;
let srv: Scripted;
let waits: number[];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flux-krea-dl-'));
  waits = [];
});
afterEach(async () => {
  await srv?.close();
  await rm(dir, { recursive: true, force: true });
});
const opts = (extra = {}) => ({
  dir,
  stem: 'img',
  requestId: 'r1',
  retries: 2,
  sleep: async (ms: number) => {
    waits.push(ms);
  },
  ...extra,
});

describe('hashing', () => {
  it('a download is hashed as it streams: the sha256 of the file on disk, in chunks', async () => {
    srv = await scriptedServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      // Several writes, so the body arrives in several chunks.
      for (let i = 0; i < png.length; i += 100) res.write(png.subarray(i, i + 100));
      res.end();
    });
    const saved = await saveImage({ kind: 'url', url: `${srv.url}/a.png` }, opts());
    const onDisk = await readFile(saved.path);
    expect(saved.bytes).toBe(png.length);
    expect(saved.sha256).toBe(createHash('sha256').update(onDisk).digest('hex'));
    const inline = await saveImage({ kind: 'bytes', data: jpg }, opts());
    expect(inline.sha256).toBe(createHash('sha256').update(jpg).digest('hex'));
  });
});

describe('redirects', () => {
  it('are followed within the origin, a few hops, and never carry a key', async () => {
    srv = await scriptedServer((req, res) => {
      const n = Number(/\/hop(\d+)/.exec(req.url ?? '')?.[1] ?? -1);
      if (n >= 0 && n < 3) {
        res.writeHead(302, { location: `/hop${n + 1}` });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(png);
    });
    const saved = await saveImage({ kind: 'url', url: `${srv.url}/hop0` }, opts());
    expect(saved.format).toBe('png');
    expect(srv.requests.map((r) => r.path)).toEqual(['/hop0', '/hop1', '/hop2', '/hop3']);
    expect(
      srv.requests.every((r) => r.headers['x-api-key'] === undefined && r.headers.authorization === undefined),
    ).toBe(true);
  });

  it('to plain http on another host are refused', async () => {
    srv = await scriptedServer((_req, res) => {
      res.writeHead(301, { location: 'http://169.254.169.254/latest/meta-data' });
      res.end();
    });
    await expect(saveImage({ kind: 'url', url: `${srv.url}/a.png` }, opts())).rejects.toThrow(/non-https/);
    expect(srv.requests).toHaveLength(1);
  });

  it('a loop ends after a few hops', async () => {
    srv = await scriptedServer((_req, res) => {
      res.writeHead(307, { location: '/again' });
      res.end();
    });
    await expect(saveImage({ kind: 'url', url: `${srv.url}/a.png` }, opts())).rejects.toThrow(
      /redirected more than 5 times/,
    );
    expect(srv.requests.length).toBe(6);
  });

  it.each([
    ['http://img.example/a.png', 'https://cdn.example/b.png', 'https://cdn.example/b.png'],
    ['https://img.example/a.png', '/b.png', 'https://img.example/b.png'],
    ['https://img.example/a.png', 'http://img.example/b.png', undefined],
    ['http://img.example/a.png', 'http://img.example/b.png', 'http://img.example/b.png'],
    ['https://img.example/a.png', 'file:///etc/passwd', undefined],
    ['https://img.example/a.png', undefined, undefined],
  ])('redirectTarget(%s, %s) = %s', (from, location, expected) => {
    expect(redirectTarget(from, location)).toBe(expected);
  });
});

describe('bounded and whole', () => {
  it('an image host error shows the status and host, not its body', async () => {
    srv = await scriptedServer((_req, res) => {
      res.writeHead(403, { 'content-type': 'text/plain' });
      res.end('internal-secret-token=abc');
    });
    const e = await saveImage({ kind: 'url', url: `${srv.url}/a.png` }, opts()).catch((x) => x);
    expect(e.message).toMatch(/failed: HTTP 403/);
    expect(e.message).not.toContain('secret');
  });

  it('a declared size over the limit is refused without reading, and not retried', async () => {
    srv = await scriptedServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(png.length) });
      res.end(png);
    });
    await expect(saveImage({ kind: 'url', url: `${srv.url}/a.png` }, opts({ maxBytes: 100 }))).rejects.toThrow(
      /over the 100-byte limit/,
    );
    expect(srv.requests).toHaveLength(1);
    expect(await readdir(dir)).toEqual([]);
  });

  it('a streamed body over the limit is cut, and nothing is left on disk', async () => {
    srv = await scriptedServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.write(png);
      res.end(Buffer.alloc(4096));
    });
    await expect(
      saveImage({ kind: 'url', url: `${srv.url}/a.png` }, opts({ maxBytes: png.length + 100 })),
    ).rejects.toThrow(/limit/);
    expect(await readdir(dir)).toEqual([]);
  });

  it.each([
    ['png', png],
    ['jpg', jpg],
    ['webp', webp],
  ] as const)('a %s cut off without Content-Length is retried, then refused', async (_fmt, bytes) => {
    srv = await scriptedServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(bytes.subarray(0, Math.floor(bytes.length / 2)));
    });
    await expect(saveImage({ kind: 'url', url: `${srv.url}/a` }, opts())).rejects.toThrow(/incomplete/);
    expect(srv.requests).toHaveLength(3);
    expect(await readdir(dir)).toEqual([]);
  });

  it('knows whole images by their end', () => {
    for (const b of [png, jpg, webp]) {
      const ext = b === png ? 'png' : b === jpg ? 'jpg' : 'webp';
      expect(isWholeImage(ext, b.subarray(0, 12), b.subarray(-12), b.length)).toBe(true);
      const half = b.subarray(0, b.length - 7);
      expect(isWholeImage(ext, half.subarray(0, 12), half.subarray(-12), half.length)).toBe(false);
    }
  });
});
