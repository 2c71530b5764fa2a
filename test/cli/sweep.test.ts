/**
 * Sweeps from the command line, in-process against the emulator: the exact requests sent
 * (counted at the emulator, never from the CLI's word), the cap, validation before any
 * request, and a rerun with --lock that pays nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { FAST, sandbox, type Sandbox } from '../helpers/cli.js';
import { runMain } from '../helpers/main.js';

let emu: Emulator;
let sb: Sandbox;
beforeEach(async () => {
  emu = await startEmulator({ credits: 1000 });
  sb = await sandbox(emu);
});
afterEach(async () => {
  await emu.close();
  await sb.cleanup();
});

const posts = () => emu.log.filter((l) => l.method === 'POST');
const sent = () =>
  posts()
    .filter((l) => l.path.startsWith('/v2/flux-krea-dev') && l.status === 200)
    .map((l) => l.body as Record<string, unknown>);
const gen = (...args: string[]) => runMain(['a red fox', '-o', sb.outDir, '-n', '1', ...FAST, ...args], sb);

describe('a sweep', () => {
  it('sends exactly one request per combination, nothing else varies, and file names show what varies', async () => {
    const r = await gen('--aspect', '1:1,16:9', '-g', '2,4.5', '--seed', '7', '--format', 'png');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(emu.submits()).toBe(4);
    const bodies = sent();
    expect(bodies.map((b) => `${String(b.aspect_ratio)} ${String(b.guidance)}`).sort()).toEqual([
      '16:9 2',
      '16:9 4.5',
      '1:1 2',
      '1:1 4.5',
    ]);
    for (const b of bodies)
      expect(b).toMatchObject({
        prompt: 'a red fox',
        seed: 7,
        output_format: 'png',
        num_outputs: 1,
        num_inference_steps: 40,
      });
    expect((await readdir(sb.outDir)).sort()).toEqual([
      'a-red-fox-aspect-16x9-guidance-2-7.png',
      'a-red-fox-aspect-16x9-guidance-4.5-7.png',
      'a-red-fox-aspect-1x1-guidance-2-7.png',
      'a-red-fox-aspect-1x1-guidance-4.5-7.png',
    ]);
    expect(r.stdout.split('\n')).toHaveLength(4);
    expect(r.stderr).toMatch(/sweep: 4 jobs · 4 done/);
    // Without --lock nothing is kept beside the images but the journal.
    expect((await readdir(sb.dir)).filter((f) => f.includes('lock'))).toEqual([]);
  });

  it('without --seed one random seed is shared; a seed range varies only the seed', async () => {
    expect((await gen('-g', '2,4')).exitCode).toBe(0);
    const [a, b] = sent();
    expect(a!.seed).toBe(b!.seed);
    expect((await gen('--seed', '3..5')).exitCode).toBe(0);
    expect(
      sent()
        .slice(2)
        .map((x) => x.seed),
    ).toEqual([3, 4, 5]);
  });

  it('more than 16 jobs is refused before any request, naming the count; --max-jobs raises the cap', async () => {
    const r = await gen('--seed', '1..9', '--aspect', '1:1,16:9');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('This sweep is 18 jobs (2 --aspect × 9 --seed)');
    expect(r.stderr).toContain('--max-jobs 18');
    expect(posts()).toEqual([]);

    const dry = await gen('--seed', '1..9', '--aspect', '1:1,16:9', '--max-jobs', '18', '--dry-run');
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout.match(/^POST /gm)).toHaveLength(18);
    expect(dry.stderr).toContain('a sweep of 18 jobs');
    expect(emu.log).toEqual([]);
  });

  it('--dry-run --json: every request and the count', async () => {
    const r = await gen('--format', 'png,webp', '--dry-run', '--json');
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      count: number;
      requests: { method: string; body: Record<string, unknown> }[];
    };
    expect(out.count).toBe(2);
    expect(out.requests.map((q) => q.body.output_format)).toEqual(['png', 'webp']);
    expect(emu.log).toEqual([]);
  });

  it.each([
    [['--guidance', '2,11'], '--guidance: "11" is not allowed; use a number from 0 to 10.'],
    [['-a', '1:1,16x9'], '--aspect: "16x9" is not allowed; use one of'],
    [['--steps', '45..55'], '--steps: "55" is not allowed; use a whole number from 1 to 50.'],
    [['--seed', '1,2', '-o', '-'], '-o -: a sweep writes one file per job'],
    [['--seed', '1,2', '--sync'], '--sync: a sweep'],
  ])('%j is refused with exit 2 before any request', async (args, message) => {
    const r = await gen(...args);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(message);
    expect(emu.log).toEqual([]);
  });

  it('with --lock a rerun pays nothing, and a changed value costs only its job', async () => {
    const lock = join(sb.dir, 'fox.lock.json');
    expect((await gen('-g', '2,4', '--lock', lock)).exitCode).toBe(0);
    expect(emu.submits()).toBe(2);
    const rerun = await gen('-g', '2,4', '--lock', lock, '--json');
    expect(rerun.exitCode, rerun.stderr).toBe(0);
    expect(emu.submits()).toBe(2);
    expect((JSON.parse(rerun.stdout) as { counts: Record<string, number> }).counts).toMatchObject({
      total: 2,
      skipped: 2,
    });
    expect((await gen('-g', '2,6', '--lock', lock)).exitCode).toBe(0);
    expect(emu.submits()).toBe(3);
    expect(sent().at(-1)).toMatchObject({ guidance: 6, seed: sent()[0]!.seed });

    // The gallery shows the sweep as one group, laid out by what varies.
    const page = join(sb.dir, 'g.html');
    const g = await runMain(['gallery', lock, '-o', page], sb);
    expect(g.exitCode, g.stderr).toBe(0);
    // guidance 4 left the sweep but keeps its record: the gallery shows all three.
    expect(g.stderr).toContain('3 images in 1 group');
  });

  it('--dry-run with --lock says what a rerun would pay for; a saved --max-jobs raises the cap', async () => {
    const lock = join(sb.dir, 'fox.lock.json');
    expect((await gen('-g', '2,4', '--lock', lock)).exitCode).toBe(0);
    const dry = await gen('-g', '2,4,6', '--lock', lock, '--dry-run', '--json');
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect((JSON.parse(dry.stdout) as { requests: { action: string }[] }).requests.map((q) => q.action)).toEqual([
      'skip',
      'skip',
      'submit',
    ]);
    expect(dry.stderr).toContain('1 to submit, 2 already in the lock');
    expect(emu.submits()).toBe(2);

    expect((await runMain(['config', 'set', 'max-jobs', '20'], sb)).exitCode).toBe(0);
    const big = await gen('--seed', '1..20', '--dry-run');
    expect(big.exitCode, big.stderr).toBe(0);
    expect(big.stdout.match(/^POST /gm)).toHaveLength(20);
  });

  it('--max-cost holds for a sweep as for a batch: it stops before a job that would not fit, and says so', async () => {
    const r = await gen('--seed', '1..3', '--max-cost', '0.015', '--json');
    expect(emu.submits()).toBe(1);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain('Stopped by --max-cost 0.015 after spending 0.01 credits: 2 jobs not paid for.');
    expect(JSON.parse(r.stdout)).toMatchObject({
      counts: { total: 3, done: 1 },
      budget_stop: expect.stringContaining('--max-cost'),
    });
  });
});
