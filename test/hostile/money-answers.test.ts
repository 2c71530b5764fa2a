/**
 * A cost that is not a cost: a negative `metrics.cost` (or `x-cost`) lowered what the run had
 * spent, and an empty one read as 0, a price of nothing: either way --max-cost then let every
 * job through. Such a result reports no cost: the job counts at its estimate, or, while no
 * price is known, the run stops rather than spend blind.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sandbox, type Sandbox } from '../helpers/cli.js';
import { runMain } from '../helpers/main.js';
import { scriptedServer, sendJson, type Scripted } from '../helpers/scripted-server.js';
import { renderImage } from '../emulator/images/index.js';

const KEY = 'SG_0123456789abcdef';
const png = renderImage({ format: 'png', width: 64, height: 64, quality: 90, key: 'x' }).bytes;
let server: Scripted | undefined;
let sb: Sandbox | undefined;
afterEach(async () => {
  await server?.close();
  await sb?.cleanup();
  server = sb = undefined;
});

/** A Segmind whose every finished job reports `cost`; counts the jobs it accepted (and would bill). */
async function segmind(cost: unknown): Promise<{ sb: Sandbox; paid: () => number }> {
  let jobs = 0;
  server = await scriptedServer((req, res) => {
    const path = req.url ?? '';
    if (path.startsWith('/v1/get-user-credits')) return sendJson(res, 200, { credits: 100, 'free-credits': 0 });
    if (req.method === 'POST') {
      jobs++;
      return sendJson(res, 200, { request_id: jobs.toString(16).padStart(32, '0'), status: 'QUEUED' });
    }
    if (path.startsWith('/img')) {
      res.writeHead(200, { 'content-type': 'image/png' });
      return res.end(png);
    }
    if (path.endsWith('/status')) return sendJson(res, 200, { status: 'COMPLETED' });
    sendJson(res, 200, { status: 'COMPLETED', output: `${server!.url}/img/1.png`, metrics: { cost } });
  });
  sb = await sandbox(undefined, { SEGMIND_BASE_URL: server.url, SEGMIND_API_KEY: KEY });
  return { sb, paid: () => jobs };
}

describe('a cost that is not a cost never widens --max-cost', () => {
  for (const cost of [-1, '', ' ']) {
    it(`metrics.cost = ${JSON.stringify(cost)}: the batch stops after its first job (exit 4), never pays for all`, async () => {
      const s = await segmind(cost);
      await writeFile(join(s.sb.dir, 'm.txt'), 'one\ntwo\nthree\nfour\n');
      const r = await runMain(
        ['batch', 'm.txt', '-o', s.sb.outDir, '-n', '1', '--interval', '0.01', '--max-cost', '0.05', '--json'],
        s.sb,
      );
      expect(r.exitCode, r.stderr).toBe(4);
      expect(s.paid()).toBe(1);
      // batch --json is JSON Lines: one line per finished entry, the summary last.
      const lines = r.stdout
        .trim()
        .split('\n')
        .map(
          (l) =>
            JSON.parse(l) as { type: string; cost?: number | null; status?: string; budget?: { stopped_by: string } },
        );
      const summary = lines.at(-1)!;
      expect(summary.type).toBe('summary');
      expect(summary.budget!.stopped_by).toBe('unknown-cost');
      const done = lines.filter((l) => l.type === 'entry' && l.status === 'done');
      expect(done).toHaveLength(1);
      expect(done[0]!.cost).toBeNull();
    });
  }
});

describe('a batch submit that reached Segmind but got no answer', () => {
  it('is reported as a job that may exist and be billed, and the rerun advice says a rerun may pay for it twice', async () => {
    let posts = 0;
    server = await scriptedServer((req, res) => {
      const path = req.url ?? '';
      if (path.startsWith('/v1/get-user-credits')) return sendJson(res, 200, { credits: 100 });
      if (req.method === 'POST') {
        posts++;
        req.socket.destroy(); // the body was sent; the answer never comes
        return;
      }
      sendJson(res, 404, { error: 'not found' });
    });
    sb = await sandbox(undefined, { SEGMIND_BASE_URL: server.url, SEGMIND_API_KEY: KEY });
    await writeFile(join(sb.dir, 'm.txt'), 'one\n');
    const r = await runMain(['batch', 'm.txt', '-o', sb.outDir, '-n', '1', '--interval', '0.01'], sb);
    expect(r.exitCode).toBe(1);
    expect(posts).toBe(1);
    expect(r.stderr).toMatch(/failed +one-\S+ +1 +0 +.*may have been created \(and billed\)/);
    expect(r.stderr).toContain(
      '1 entry whose submit got no answer may already have a billed job that cannot be fetched',
    );
    expect(r.stderr).not.toContain('submitted again: a new job each');
  });
});
