/**
 * Issue 12, trusting what comes from outside, end to end through the CLI against a scripted
 * Segmind: hostile request ids (7), cut-off images (9), image hosts' error bodies (12), deeply
 * nested JSON (13), a flood of images with `-o -` and without (5, 10).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sandbox, type Sandbox } from '../helpers/cli.js';
import { runMain } from '../helpers/main.js';
import { scriptedServer, sendJson, type Scripted } from '../helpers/scripted-server.js';
import { renderImage } from '../emulator/images/index.js';

const KEY = 'SG_0123456789abcdef';
const ID = '0123456789abcdef0123456789abcdef';
const png = renderImage({ format: 'png', width: 64, height: 64, quality: 90, key: 'x' }).bytes;
let server: Scripted | undefined;
let sb: Sandbox | undefined;
afterEach(async () => {
  await server?.close();
  await sb?.cleanup();
  server = sb = undefined;
});

/** A Segmind whose submit, status, result and image answers the test picks. */
async function segmind(o: {
  id?: string;
  status?: (res: ServerResponse) => void;
  output?: (base: string) => unknown;
  image?: (req: IncomingMessage, res: ServerResponse) => void;
}): Promise<Sandbox> {
  server = await scriptedServer((req, res) => {
    const path = req.url ?? '';
    if (req.method === 'POST') return sendJson(res, 200, { request_id: o.id ?? ID, status: 'QUEUED' });
    if (path.startsWith('/img')) {
      if (o.image) return o.image(req, res);
      res.writeHead(200, { 'content-type': 'image/png' });
      return res.end(png);
    }
    if (path.endsWith('/status')) return o.status ? o.status(res) : sendJson(res, 200, { status: 'COMPLETED' });
    sendJson(res, 200, { status: 'COMPLETED', output: o.output ? o.output(server!.url) : `${server!.url}/img/1.png` });
  });
  sb = await sandbox(undefined, { SEGMIND_BASE_URL: server.url, SEGMIND_API_KEY: KEY });
  return sb;
}

describe('item 7: request ids of an unsafe shape', () => {
  for (const id of ['../../v1/x', 'ab\u001b[31mcd\u001b]0;owned\u0007', "id'; rm -rf ~; '", 'x\nerror: fake line']) {
    it(`${JSON.stringify(id)}: a clear protocol error, no escape or fake line printed, no poll of another URL`, async () => {
      const s = await segmind({ id });
      const r = await runMain(['a cat', '-o', s.outDir, '--interval', '0.01'], s);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/request id/i);
      expect(r.stderr + r.stdout).not.toMatch(/\u001b|\u0007/);
      expect(r.stderr.split('\n').filter((l) => l.startsWith('error:'))).toHaveLength(1);
      expect(server!.requests.filter((q) => q.method === 'GET')).toHaveLength(0);
    });
  }

  it('a real-shaped id is accepted by `result`, as printed in the resume hint', async () => {
    let done = false;
    const s = await segmind({ status: (res) => sendJson(res, 200, { status: done ? 'COMPLETED' : 'PROCESSING' }) });
    const r = await runMain(['a cat', '-n', '1', '-o', s.outDir, '--interval', '0.01', '--timeout', '1'], s);
    expect(r.exitCode).toBe(7);
    const hint = /flux-krea result (\S+)/.exec(r.stderr)?.[1];
    expect(hint).toBe(ID);
    done = true;
    const again = await runMain(['result', hint!, '-o', s.outDir], s);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(await readdir(s.outDir)).toHaveLength(1);
  });
});

describe('item 9: an image cut off without Content-Length is not saved as whole', () => {
  it('half a PNG, then the connection ends: retried, then exit 1 with nothing half-written', async () => {
    const s = await segmind({
      image: (_req, res) => {
        res.writeHead(200, { 'content-type': 'image/png' }); // chunked, no length
        res.end(png.subarray(0, Math.floor(png.length / 2)));
      },
    });
    const r = await runMain(['a cat', '-n', '1', '-o', s.outDir, '--interval', '0.01', '--retries', '1'], s);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/incomplete|cut off/);
    expect(await readdir(s.outDir)).toEqual([]);
    expect(r.stderr).toContain(`flux-krea result ${ID}`);
  });
});

describe("item 12: an image host's error body is not echoed", () => {
  it('a 500 with an internal page: the status and host are shown, not the body', async () => {
    const s = await segmind({
      image: (_req, res) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('INTERNAL-SECRET db=10.0.0.3 password=hunter2');
      },
    });
    const r = await runMain(['a cat', '-n', '1', '-o', s.outDir, '--interval', '0.01', '--retries', '0'], s);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/500/);
    expect(r.stderr).toContain('127.0.0.1');
    expect(r.stderr + r.stdout).not.toMatch(/INTERNAL-SECRET|hunter2/);
  });
});

describe('item 13: JSON nested 100,000 deep', () => {
  it('in a FAILED status: still a failed job, exit 6, no crash', async () => {
    const deep = `{"status":"FAILED","error":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const s = await segmind({
      status: (res) => {
        res.writeHead(422, { 'content-type': 'application/json' });
        res.end(deep);
      },
    });
    const r = await runMain(['a cat', '-o', s.outDir, '--interval', '0.01'], s);
    expect(r.exitCode).toBe(6);
    expect(r.stderr).not.toMatch(/bug/);
  });
});

describe('items 5 and 10: more images than asked', () => {
  const flood = (base: string) => Array.from({ length: 1_000 }, (_, i) => `${base}/img/${i}.png`);

  it('-n 1 answered with 1,000 URLs: one file, a warning, exit 0', async () => {
    const s = await segmind({ output: flood });
    const r = await runMain(['a cat', '-n', '1', '-o', s.outDir, '--interval', '0.01'], s);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await readdir(s.outDir)).toHaveLength(1);
    expect(r.stderr).toMatch(/kept the first 1/);
    expect(server!.requests.filter((q) => q.path.startsWith('/img'))).toHaveLength(1);
  });

  it('-o - with a flood: the one image asked for goes to stdout, exit 0, the journal says saved', async () => {
    const s = await segmind({ output: flood });
    const r = await runMain(['a cat', '-n', '1', '-o', '-', '--interval', '0.01'], s, { encoding: 'buffer' });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(Buffer.compare(r.stdout, png)).toBe(0);
    const journal = await readFile(join(s.configDir, 'state', 'jobs.jsonl'), 'utf8');
    expect(journal).toContain(ID);
    expect(journal).toMatch(/"saved"/);
  });
});
