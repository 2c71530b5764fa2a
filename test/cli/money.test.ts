/**
 * Money up front (issue 14), through main() against the emulator with real numbers: the cost
 * of every job recorded and shown, the price learnt from the journal, --max-cost and the
 * balance as hard ceilings. Counts come from the emulator's log, never from the CLI's word.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmulator, type Emulator, type EmulatorConfig } from '../emulator/index.js';
import { FAST, sandbox, type Sandbox } from '../helpers/cli.js';
import { runMain } from '../helpers/main.js';

let emu: Emulator;
let sb: Sandbox;
async function start(config: Partial<EmulatorConfig> = {}): Promise<void> {
  await emu?.close();
  emu = await startEmulator({ credits: 41.3, costPerImage: 0.01, ...config });
  sb.env = { ...sb.env, SEGMIND_BASE_URL: emu.url, SEGMIND_UPLOAD_URL: emu.uploadUrl, SEGMIND_API_KEY: emu.apiKey };
}
beforeEach(async () => {
  sb = await sandbox();
  await start();
});
afterEach(async () => {
  await emu.close();
  await sb.cleanup();
});

/** Submits Segmind accepted (and billed). */
const paid = () =>
  emu.log.filter((l) => l.method === 'POST' && l.path === '/v2/flux-krea-dev' && l.status === 200).length;
const refused = () =>
  emu.log.filter((l) => l.method === 'POST' && l.path === '/v2/flux-krea-dev' && l.status === 402).length;
const gen = (args: string[]) => runMain(['a lighthouse', '-o', sb.outDir, ...FAST, ...args], sb);
const batch = (file: string, args: string[]) =>
  runMain(['batch', file, '-o', sb.outDir, '-n', '1', ...FAST, ...args], sb);

async function manifest(n: number, name = 'm.txt'): Promise<string> {
  const path = join(sb.dir, name);
  await writeFile(path, Array.from({ length: n }, (_, i) => `prompt number ${i + 1}`).join('\n'));
  return path;
}

interface Report {
  exit_code: number;
  counts: Record<string, number>;
  cost: number | null;
  remaining_credits: number | null;
  budget: {
    max_cost: number | null;
    stopped_by: string | null;
    left: { entries: number; images: number; estimate: number | null } | null;
    continue: string | null;
  };
  entries: {
    key: string;
    status: string;
    cost: number | null;
    remaining_credits: number | null;
    error: { kind: string; message: string } | null;
  }[];
}
/** `batch --json` is JSON Lines: entries as they finish, then the summary, always last. */
const report = (r: { stdout: string }): Report => {
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; line: number });
  const summary = lines.pop()!;
  return { ...summary, entries: lines.sort((a, b) => a.line - b.line) } as unknown as Report;
};

describe('the cost of every job', () => {
  it('generate: --json, the summary, the journal and `jobs` all carry what Segmind reported', async () => {
    const r = await gen(['-n', '2', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      cost: 0.02,
      remaining_credits: 41.28,
      metrics: { cost: 0.02, remaining_credits: 41.28 },
    });
    expect(r.stderr).toMatch(/saved 2 images .* · 0\.02 credits · 41\.28 left · /);
    const { jobs } = JSON.parse((await runMain(['jobs', '--json'], sb)).stdout) as {
      jobs: { cost: number | null; remaining_credits: number | null }[];
    };
    expect(jobs[0]).toMatchObject({ cost: 0.02, remaining_credits: 41.28 });
    const table = await runMain(['jobs'], sb);
    expect(table.stdout).toMatch(/saved +0\.02 +2 files +a lighthouse$/);
  });

  it('--sync reads the cost from x-cost, and --max-cost guards it the same way', async () => {
    const r = await gen(['-n', '1', '--sync', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ cost: 0.01, remaining_credits: 41.29 });
    const over = await gen(['-n', '2', '--sync', '--max-cost', '0.015']);
    expect(over.exitCode).toBe(4);
    expect(emu.log.filter((l) => l.method === 'POST' && l.path === '/v1/flux-krea-dev')).toHaveLength(1);
  });

  it('result --json carries the cost of the job it fetched, without paying again', async () => {
    const first = await gen(['-n', '1', '--json']);
    const id = (JSON.parse(first.stdout) as { request_id: string }).request_id;
    const again = await runMain(['result', id, '--json', '-o', sb.outDir], sb);
    expect(JSON.parse(again.stdout)).toMatchObject({ request_id: id, cost: 0.01 });
    expect(paid()).toBe(1);
  });

  it('jobs --since totals the spend of that span; failed jobs cost nothing', async () => {
    await gen(['-n', '2']);
    await gen(['-n', '3']);
    const r = await runMain(['jobs', '--since', '7d'], sb);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('last 7d: 2 jobs · 0.05 credits spent');
    const bad = await runMain(['jobs', '--since', 'yesterday'], sb);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--since: "yesterday" is not allowed');
  });
});

describe('the estimate', () => {
  it('--dry-run says the price is unknown before any job, then estimates from the highest recent price per image', async () => {
    const before = await gen(['-n', '4', '--dry-run']);
    expect(before.stderr).toContain('Estimated cost: unknown');
    await gen(['-n', '2']); // 0.01 an image
    emu.configure({ costPerImage: 0.015 });
    await gen(['-n', '2']); // 0.015 an image: the highest wins
    const after = await gen(['-n', '4', '--dry-run', '--json']);
    expect(JSON.parse(after.stdout).estimate).toEqual({ cost: 0.06, per_image: 0.015, from_jobs: 2 });
    const text = await gen(['-n', '4', '--dry-run', '--max-cost', '0.05']);
    expect(text.stderr).toContain(
      'Estimated cost: 0.06 credits (0.015 an image, the highest of the last 2 priced jobs); --max-cost 0.05 would stop it.',
    );
    expect(paid()).toBe(2);
  });

  it('batch --dry-run estimates what it would submit', async () => {
    const file = await manifest(3);
    expect((await batch(file, ['--dry-run'])).stderr).toContain('Estimated cost of 3 images: unknown');
    await gen(['-n', '2']);
    const r = await batch(file, ['--dry-run', '--json']);
    expect(JSON.parse(r.stdout).estimate).toEqual({ images: 3, cost: 0.03, per_image: 0.01, from_jobs: 1 });
    expect((await batch(file, ['--dry-run', '--max-cost', '0.02'])).stderr).toContain(
      'Estimated cost of 3 images: 0.03 credits (0.01 an image, the highest of the last 1 priced job); --max-cost 0.02 would stop it',
    );
    expect(paid()).toBe(1);
  });
});

describe('--max-cost', () => {
  it('generate: a job whose estimate exceeds the budget is never submitted (exit 4); the env var and config set it too', async () => {
    await gen(['-n', '1']); // learns 0.01 an image
    const r = await gen(['-n', '4', '--max-cost', '0.03']);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain('The budget of 0.03 credits cannot cover the next job (about 0.04 credits)');
    expect(r.stderr).toContain('Raise --max-cost');
    const env = await runMain(['a lighthouse', '-n', '4', '-o', sb.outDir, ...FAST], {
      ...sb,
      env: { ...sb.env, FLUX_KREA_MAX_COST: '0.03' },
    });
    expect(env.exitCode).toBe(4);
    expect(paid()).toBe(1);
    await runMain(['config', 'set', 'max-cost', '0.03'], sb);
    const config = await gen(['-n', '4']);
    expect(config.exitCode).toBe(4);
    await runMain(['config', 'unset', 'max-cost'], sb);
    const fits = await gen(['-n', '3', '--max-cost', '0.03']);
    expect(fits.exitCode).toBe(0);
    expect(paid()).toBe(2);
  });

  it('before any price is known the first job can overshoot --max-cost: the run says so before paying and after', async () => {
    const r = await gen(['-n', '4', '--max-cost', '0.001']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(paid()).toBe(1);
    const warned = r.stderr.indexOf('no job in the journal has reported a price yet');
    expect(warned).toBeGreaterThan(-1);
    expect(warned).toBeLessThan(r.stderr.indexOf('request id:'));
    expect(r.stderr).toContain('This run spent 0.04 credits, more than --max-cost 0.001');
    const b = await batch(await manifest(2), ['--max-cost', '0.001']);
    expect(b.exitCode, b.stderr).toBe(4);
    expect(paid()).toBe(1); // the journal now knows the price: nothing more is paid
    expect(b.stderr).not.toContain('more than --max-cost');
  });

  it('bad values are exit 2 before any request', async () => {
    for (const bad of ['abc', '-1']) {
      const r = await gen(['--max-cost', bad]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain('--max-cost');
    }
    expect(emu.log).toHaveLength(0);
  });

  it("the printed continue command, pasted as it is, pays only for what is missing (it keeps the run's flags, never --force)", async () => {
    const file = await manifest(4);
    const first = await runMain(
      ['batch', file, '-o', sb.outDir, '-n', '1', '--interval', '0.01', '--force', '--max-cost', '0.02'],
      sb,
    );
    expect(first.exitCode, first.stderr).toBe(4);
    const command = /to continue: (flux-krea batch .*)$/m.exec(first.stderr)?.[1];
    expect(command).toBeDefined();
    expect(paid()).toBe(2);
    // What a shell does with it: the words, single quotes removed.
    const words = [...command!.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((m) =>
      m[1] !== undefined ? m[1].replaceAll("'\\''", "'") : m[2]!,
    );
    expect(words.slice(0, 2)).toEqual(['flux-krea', 'batch']);
    expect(words).not.toContain('--force');
    const rest = await runMain(words.slice(1), sb);
    expect(rest.exitCode, rest.stderr).toBe(0);
    expect(rest.stderr).toContain('2 done · 2 skipped');
    expect(paid()).toBe(4);
  });

  it('batch: before a price is known, one job at a time; then it stops at the budget (exit 4), and a rerun with more pays only for what is missing', async () => {
    const file = await manifest(5);
    const r = await batch(file, ['--max-cost', '0.03', '--concurrency', '4', '--json']);
    expect(r.exitCode, r.stderr).toBe(4);
    const rep = report(r);
    expect(rep.counts).toMatchObject({ done: 3, 'not-run': 2 });
    expect(rep.cost).toBe(0.03);
    expect(rep.budget).toMatchObject({
      max_cost: 0.03,
      stopped_by: 'max-cost',
      left: { entries: 2, images: 2, estimate: 0.02 },
    });
    expect(rep.budget.continue).toBe(
      `flux-krea batch ${file} --num-outputs 1 --out ${sb.outDir} --interval 0.01 --json --concurrency 4 --max-cost 0.02`,
    );
    expect(rep.entries.map((e) => e.cost)).toEqual([0.01, 0.01, 0.01, null, null]);
    expect(paid()).toBe(3);
    // The first job ran alone: the second submit came after the first job's result (its cost).
    const posts = emu.log.filter((l) => l.method === 'POST' && l.path === '/v2/flux-krea-dev');
    const firstResult = emu.log.findIndex((l) => l.method === 'GET' && /^\/v2\/requests\/[^/]+$/.test(l.path));
    expect(emu.log.indexOf(posts[1]!)).toBeGreaterThan(firstResult);
    expect(r.stderr).toContain(
      'Stopped by --max-cost 0.03 after spending 0.03 credits: 2 entries (2 images, about 0.02 credits) not paid for.',
    );
    const lock = JSON.parse(await readFile(`${file}.lock.json`, 'utf8')) as {
      entries: Record<string, { cost?: number }>;
    };
    expect(Object.values(lock.entries).map((e) => e.cost)).toEqual([0.01, 0.01, 0.01]);
    // The gallery shows each entry's cost from the lock.
    const page = join(sb.dir, 'page.html');
    expect((await runMain(['gallery', `${file}.lock.json`, '-o', page], sb)).exitCode).toBe(0);
    expect((await readFile(page, 'utf8')).match(/0\.01 credits/g)).toHaveLength(3);

    const more = await batch(file, ['--max-cost', '0.02', '--json']);
    expect(more.exitCode, more.stderr).toBe(0);
    expect(report(more)).toMatchObject({ counts: { done: 2, skipped: 3 }, cost: 0.02 });
    expect(paid()).toBe(5);
  });

  it('batch: a cost that jumps mid-run re-prices what is left, and the run stops before the budget is broken', async () => {
    await start({ credits: 41.3, priceSteps: [0.01, 0.05] });
    const file = await manifest(4);
    const r = await batch(file, ['--max-cost', '0.1', '--concurrency', '1', '--json']);
    expect(r.exitCode).toBe(4);
    const rep = report(r);
    // 0.01, then 0.05: 0.06 spent, and at the new price the third (0.05) would make 0.11.
    expect(rep.entries.map((e) => e.cost)).toEqual([0.01, 0.05, null, null]);
    expect(rep.cost).toBe(0.06);
    expect(r.stderr).toContain(
      'Segmind charged 0.05 credits an image, more than the 0.01 estimated: jobs from now on are priced at 0.05.',
    );
    expect(rep.entries[2]!.error!.message).toBe(
      'The budget of 0.10 credits cannot cover the next job (about 0.05 credits): 0.06 credits spent, 0.04 credits left.',
    );
    expect(paid()).toBe(2);
  });

  it('batch: a result without a cost while no price is known stops the run rather than guess', async () => {
    await start({ reportCost: false });
    const file = await manifest(3);
    const r = await batch(file, ['--max-cost', '1', '--json']);
    expect(r.exitCode).toBe(4);
    const rep = report(r);
    expect(rep.budget.stopped_by).toBe('unknown-cost');
    expect(rep.counts).toMatchObject({ done: 1, 'not-run': 2 });
    expect(paid()).toBe(1);
    expect(r.stderr).toContain(
      'Stopped by an unknown cost after spending at least 0.00 credits: 2 entries (2 images) not paid for.',
    );
    expect(r.stderr).toContain('run without --max-cost only if an unknown spend is acceptable');
  });

  it('batch: without a cost but with a price from the journal, each job counts at its estimate', async () => {
    await gen(['-n', '1']); // the journal learns 0.01 an image
    emu.configure({ reportCost: false });
    const file = await manifest(4);
    const r = await batch(file, ['--max-cost', '0.025', '--concurrency', '1', '--json']);
    expect(r.exitCode).toBe(4);
    expect(report(r).counts).toMatchObject({ done: 2, 'not-run': 2 });
    expect(paid()).toBe(3);
    expect(r.stderr).toContain('2 jobs of unreported cost');
  });
});

describe('the balance is a budget too', () => {
  it('a batch whose estimate exceeds the balance stops before the first submit (exit 4), with both numbers', async () => {
    await gen(['-n', '1']); // 0.01 an image
    emu.configure({ credits: 0.025 });
    const file = await manifest(3);
    const r = await batch(file, ['--json']);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain(
      'This batch would cost about 0.03 credits (3 images at 0.01), more than the balance of 0.025: nothing was submitted.',
    );
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'error', error: { kind: 'credits', exit_code: 4 } });
    expect(paid()).toBe(1);
  });

  it('during a run, remaining_credits decides: no job is submitted that the balance cannot cover (no 402 is ever seen)', async () => {
    await gen(['-n', '1']); // 0.01 an image
    // The balance cannot be read before the run (no balance record): the results tell it.
    emu.configure({ credits: 0.025, creditsRecord: false });
    const file = await manifest(4);
    const r = await batch(file, ['--concurrency', '2', '--json']);
    expect(r.exitCode).toBe(4);
    const rep = report(r);
    expect(rep.budget.stopped_by).toBe('balance');
    // Two jobs in flight (0.02); the first result says 0.005 is left: the third cannot be covered.
    expect(rep.counts).toMatchObject({ done: 2, 'not-run': 2 });
    expect(rep.remaining_credits).toBe(0.005);
    expect(refused()).toBe(0);
    expect(paid()).toBe(3);
    expect(r.stderr).toContain(
      'top up at https://cloud.segmind.com/console/billing, then continue with: flux-krea batch',
    );
  });
});
