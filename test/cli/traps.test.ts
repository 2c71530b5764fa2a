/**
 * Issue 13: slips that people make must never cost money. Each test runs the CLI in-process
 * against the emulator and checks what was sent (usually: nothing).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createHash } from 'node:crypto';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { FAST, sandbox, type Sandbox } from '../helpers/cli.js';
import { runMain } from '../helpers/main.js';
import { editDistance, nearCommands } from '../../src/cli/command-words.js';
import { execa } from 'execa';
import { installed, toolTestsRun } from '../helpers/tools.js';

let emu: Emulator;
let sb: Sandbox;
const paid = () => emu.log.filter((r) => r.method === 'POST').length;

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  emu.log.length = 0;
  sb = await sandbox(emu);
});
afterEach(async () => {
  await sb.cleanup();
});

describe('item 1: command words are never paid prompts', () => {
  it('edit distance counts a swap of neighbours as one, as commander does', () => {
    expect(editDistance('jbos', 'jobs')).toBe(1);
    expect(editDistance('reslt', 'result')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(nearCommands('jbos', ['jobs', 'batch', 'auth'])).toEqual(['jobs']);
    expect(nearCommands('Jobz', ['jobs'])).toEqual(['jobs']);
    // Distance 3 still counts when nothing is closer, as in commander's "Did you mean status?".
    expect(nearCommands('stall', ['status', 'jobs'])).toEqual(['status']);
    expect(nearCommands('cat', ['auth', 'batch', 'jobs'])).toEqual([]);
    expect(
      nearCommands('lighthouse', ['jobs', 'batch', 'auth', 'result', 'status', 'config', 'completion', 'generate']),
    ).toEqual([]);
  });

  it('`help` shows the help, exit 0, nothing sent', async () => {
    const r = await runMain(['help'], sb);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^Usage: flux-krea/);
    expect(paid()).toBe(0);
    expect(await readdir(sb.dir)).not.toContain('out');
  });

  it("`help jobs` shows the jobs command's help", async () => {
    const r = await runMain(['help', 'jobs'], sb);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^Usage: flux-krea jobs/);
    expect(paid()).toBe(0);
  });

  it.each([
    ['jbos', 'jobs'],
    ['reslut', 'result'],
    ['stauts', 'status'],
    ['confg', 'config'],
    ['hlep', 'help'],
  ])('a near miss (%s) exits 2 with "did you mean `%s`?" and sends nothing', async (word, meant) => {
    const r = await runMain([word, '-o', sb.outDir], sb);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`did you mean \`${meant}\`?`);
    expect(r.stderr).toContain(`flux-krea generate ${word}`);
    expect(r.stderr).toContain(`flux-krea -- ${word}`);
    expect(r.stdout).toBe('');
    expect(emu.log).toHaveLength(0);
  });

  it('with --json the refusal is a JSON usage error on stdout', async () => {
    const r = await runMain(['jbos', '--json'], sb);
    expect(r.exitCode).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'error', error: { kind: 'usage', exit_code: 2 } });
    expect(emu.log).toHaveLength(0);
  });

  it('the word is generated on purpose with `generate` or after `--`', async () => {
    const opts = ['-n', '1', '-o', sb.outDir, ...FAST];
    // After `--` every word is the prompt's, so the options come first.
    for (const args of [
      ['generate', 'jbos', ...opts],
      [...opts, '--', 'jbos'],
    ]) {
      emu.log.length = 0;
      const r = await runMain(args, sb);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(paid()).toBe(1);
      expect(emu.log.find((l) => l.method === 'POST')!.body).toMatchObject({ prompt: 'jbos' });
    }
  });

  it('a one-word prompt far from every command is generated', async () => {
    const r = await runMain(['lighthouse', '-n', '1', '-o', sb.outDir, ...FAST], sb);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(paid()).toBe(1);
  });
});

describe('item 2: an unquoted prompt', () => {
  it('joins the words into one prompt, options anywhere', async () => {
    const r = await runMain(['a', 'red', '-n', '1', 'fox', '-o', sb.outDir, ...FAST], sb);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(emu.log.find((l) => l.method === 'POST')!.body).toMatchObject({ prompt: 'a red fox', num_outputs: 1 });
  });

  it('joins the words for `generate` too, and for a dry run', async () => {
    const r = await runMain(['generate', 'a', 'red', 'fox', '--dry-run', '--json'], sb);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).body.prompt).toBe('a red fox');
    expect(emu.log).toHaveLength(0);
  });
});

describe('item 4: `result <id> -o -` writes the image to stdout', () => {
  it('streams the one image to stdout and makes no directory named -', async () => {
    const g = await runMain(['a red fox', '-n', '1', '--json', '-o', sb.outDir, ...FAST], sb);
    expect(g.exitCode, g.stderr).toBe(0);
    const id = JSON.parse(g.stdout).request_id as string;
    const r = await runMain(['result', id, '-o', '-'], sb, { encoding: 'buffer' });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(await readdir(sb.dir)).not.toContain('-');
  });

  it('several images: exit 2 naming the way to save them, nothing on stdout', async () => {
    const g = await runMain(['a red fox', '-n', '2', '--json', '-o', sb.outDir, ...FAST], sb);
    const id = JSON.parse(g.stdout).request_id as string;
    const r = await runMain(['result', id, '-o', '-'], sb, { encoding: 'buffer' });
    expect(r.exitCode).toBe(2);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toContain(`flux-krea result ${id} -o <dir>`);
    expect(await readdir(sb.dir)).not.toContain('-');
  });
});

describe('item 6: `result` is idempotent and independent of the current directory', () => {
  it('the journal keeps absolute paths; a second result reports the saved files; a deleted one is re-saved alone', async () => {
    const g = await runMain(['a red fox', '-n', '2', '--json', '-o', 'art', ...FAST], sb);
    expect(g.exitCode, g.stderr).toBe(0);
    const { request_id: id, files } = JSON.parse(g.stdout) as { request_id: string; files: { path: string }[] };
    const saved = files.map((f) => join(sb.dir, f.path)).sort();
    const { jobs } = JSON.parse((await runMain(['jobs', '--json'], sb)).stdout) as {
      jobs: { out_dir: string; files: string[] }[];
    };
    expect(jobs[0]!.out_dir).toBe(join(sb.dir, 'art'));
    expect(jobs[0]!.files.sort()).toEqual(saved);

    // From another directory: the same files, nothing downloaded, no `_2` copies.
    const elsewhere = join(sb.dir, 'elsewhere');
    await mkdir(elsewhere);
    emu.log.length = 0;
    const again = await runMain(['result', id], sb, { cwd: elsewhere });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout.split('\n').sort()).toEqual(saved);
    expect(again.stderr).toContain('already saved');
    expect(emu.log).toHaveLength(0);
    expect(await readdir(elsewhere)).toEqual([]);

    // One file lost: only that one is fetched, under its own name.
    await rm(saved[0]!);
    emu.log.length = 0;
    const refetch = await runMain(['result', id], sb, { cwd: elsewhere });
    expect(refetch.exitCode, refetch.stderr).toBe(0);
    expect(refetch.stdout.split('\n').sort()).toEqual(saved);
    expect(emu.log.filter((l) => l.server === 'images')).toHaveLength(1);
    expect((await readdir(join(sb.dir, 'art'))).sort()).toEqual(saved.map((p) => basename(p)));
    expect(refetch.stderr).toMatch(/saved 1 image .*\(1 already saved, kept\)/);
  });
});

describe('item 5: `~` in a path read from configuration is the home directory', () => {
  const home = () => join(sb.dir, 'home');
  const env = (extra: Record<string, string> = {}) => ({ ...sb.env, HOME: home(), ...extra });
  const savedIn = async (r: { exitCode: number; stdout: string; stderr: string }, dir: string) => {
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.startsWith(`${join(home(), dir)}/`), r.stdout).toBe(true);
    expect(await readdir(join(home(), dir))).toHaveLength(1);
    expect(await readdir(sb.dir)).not.toContain('~');
  };

  it('in `config set out`', async () => {
    await mkdir(home());
    expect((await runMain(['config', 'set', 'out', '~/art'], sb, { env: env() })).exitCode).toBe(0);
    await savedIn(await runMain(['a red fox', '-n', '1', ...FAST], sb, { env: env() }), 'art');
  });

  it('in FLUX_KREA_OUT', async () => {
    await mkdir(home());
    await savedIn(
      await runMain(['a red fox', '-n', '1', ...FAST], sb, { env: env({ FLUX_KREA_OUT: '~/from-env' }) }),
      'from-env',
    );
  });

  it('in a project file', async () => {
    await mkdir(home());
    await writeFile(join(sb.dir, 'flux-krea.config.json'), JSON.stringify({ out: '~/from-project' }));
    await savedIn(await runMain(['a red fox', '-n', '1', ...FAST], sb, { env: env() }), 'from-project');
  });

  it('in FLUX_KREA_CONFIG_DIR', async () => {
    await mkdir(home());
    const r = await runMain(['config', 'path'], sb, { env: env({ FLUX_KREA_CONFIG_DIR: '~/cfg' }) });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(join(home(), 'cfg'));
  });
});

describe('item 11: non-Latin prompts keep their letters in file names', () => {
  it('東京の夜景 with seed 123 saves 東京の夜景-123-1.jpg', async () => {
    const r = await runMain(['東京の夜景', '--seed', '123', '-n', '1', '-o', sb.outDir, ...FAST], sb);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe(join(sb.outDir, '東京の夜景-123-1.jpg'));
    expect(await readdir(sb.outDir)).toEqual(['東京の夜景-123-1.jpg']);
  });
});

describe('item 9: --sync with -n above 1 does not guess what v1 returns', () => {
  it('warns before sending and uses submit + poll, which saves every image', async () => {
    const r = await runMain(['a red fox', '--sync', '-n', '3', '-o', sb.outDir, ...FAST], sb);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /warning: --sync returns one image per call; for --num-outputs 3 flux-krea submits and polls instead/,
    );
    expect(emu.log.filter((l) => l.method === 'POST').map((l) => l.path)).toEqual(['/v2/flux-krea-dev']);
    expect(r.stdout.split('\n')).toHaveLength(3);
    // The warning comes before the request id, that is before anything was sent.
    expect(r.stderr.indexOf('--sync returns one image')).toBeLessThan(r.stderr.indexOf('request id'));
  });

  it('a dry run shows the endpoint that will really be used', async () => {
    const r = await runMain(['a red fox', '--sync', '-n', '2', '--dry-run', '--json'], sb);
    expect(JSON.parse(r.stdout).endpoint).toMatch(/\/v2\/flux-krea-dev$/);
    const one = await runMain(['a red fox', '--sync', '-n', '1', '--dry-run', '--json'], sb);
    expect(JSON.parse(one.stdout).endpoint).toMatch(/\/v1\/flux-krea-dev$/);
  });

  it('--help says so', async () => {
    const r = await runMain(['generate', '--help'], sb);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain('with -n above 1, submit + poll is used');
  });
});

describe('item 8: --sync says what it is doing and what Ctrl-C does', () => {
  it('off a terminal: one plain progress line for the blocking call', async () => {
    const r = await runMain(['a red fox', '--sync', '-n', '1', '-o', sb.outDir], sb);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      '--sync: one blocking call (about 25 s) with no request id to resume it, so Ctrl-C waits for its answer (the images are paid for); Ctrl-C twice quits.',
    );
    expect(r.stderr).toMatch(/flux-krea: generating \(--sync\) · \d+\.\ds/);
  });
});

describe('item 12: --help is short at the root and right for each command', () => {
  it('root: under 80 lines, the commands before the flags, the model flags grouped, a pointer to the details', async () => {
    const r = await runMain(['--help'], sb);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.length).toBeLessThan(80);
    const at = (heading: string) => lines.indexOf(heading);
    expect(at('Commands:')).toBeGreaterThan(0);
    expect(at('Commands:')).toBeLessThan(at('Model flags (sent to Segmind):'));
    expect(at('Model flags (sent to Segmind):')).toBeLessThan(at('Options:'));
    const model = lines.slice(at('Model flags (sent to Segmind):') + 1, at('Options:') - 1).join('\n');
    for (const flag of ['--aspect', '--num-outputs', '--format', '--seed', '--image']) expect(model).toContain(flag);
    expect(model).not.toContain('--out');
    expect(r.stdout).toContain('flux-krea generate --help');
  });

  it('generate --help keeps the details: allowed values, defaults, environment, exit codes', async () => {
    const r = await runMain(['generate', '--help'], sb);
    expect(r.stdout).toContain('[default: 16:9]');
    expect(r.stdout).toMatch(/^Environment:$/m);
    expect(r.stdout).toMatch(/^Exit codes:$/m);
  });

  it.each(['result', 'status', 'batch'])('%s --help never mentions --sync, which it does not have', async (command) => {
    const r = await runMain([command, '--help'], sb);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).not.toMatch(/at least 300/);
    const flags = r.stdout.slice(r.stdout.indexOf('Options:'), r.stdout.indexOf('\n\n', r.stdout.indexOf('Options:')));
    expect(flags).toContain('--request-timeout');
    expect(flags).not.toContain('--sync');
  });

  it('status --json and result -o say what they do there', async () => {
    const status = (await runMain(['status', '--help'], sb)).stdout.replace(/\s+/g, ' ');
    expect(status).toContain('--json Print one JSON object on stdout (request_id, status, error) instead of the state');
    expect(status).not.toContain('instead of paths');
    const result = (await runMain(['result', '--help'], sb)).stdout.replace(/\s+/g, ' ');
    expect(result).toContain('[default: the one the original run saved into]');
  });
});

describe('item 12: PNG provenance and impossible output directories', () => {
  it.skipIf(!toolTestsRun(installed('exiftool')))(
    '--metadata embed on a PNG: exiftool reads it without a warning',
    async () => {
      const r = await runMain(
        ['a red fox', '-n', '1', '-f', 'png', '--metadata', 'embed', '-o', sb.outDir, ...FAST],
        sb,
      );
      expect(r.exitCode, r.stderr).toBe(0);
      // The record is XMP (with IPTC's AI label), which exiftool reads as XMP-fluxkrea:Provenance.
      const { stdout } = await execa('exiftool', ['-j', '-Warning', '-Provenance', '-DigitalSourceType', r.stdout]);
      const [tags] = JSON.parse(stdout) as Record<string, unknown>[];
      expect(tags!.Warning).toBeUndefined();
      expect(JSON.parse(String(tags!.Provenance))).toMatchObject({ prompt: 'a red fox' });
      expect(tags!.DigitalSourceType).toBe('http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia');
    },
  );

  it('-o /proc/x fails at once with exit 1 naming the directory, before anything is sent', async () => {
    const started = Date.now();
    const r = await runMain(['a red fox', '-n', '1', '-o', '/proc/x/y', ...FAST], sb);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('Cannot write to the output directory /proc/x/y');
    expect(emu.log).toHaveLength(0);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('item 7: batch reruns keep earlier images and say what they will pay for, and why', () => {
  const batch = (path: string, ...args: string[]) =>
    runMain(['batch', path, '-o', sb.outDir, '-n', '1', ...args, ...FAST], sb);
  /** File name → sha256 (comparing the images' bytes themselves makes a failure's diff enormous). */
  const listing = async (dir: string) => {
    const out: Record<string, string> = {};
    for (const name of (await readdir(dir, { withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name)) {
      out[name] = createHash('sha256')
        .update(await readFile(join(dir, name)))
        .digest('hex');
    }
    return out;
  };
  afterEach(() => emu.configure({ credits: 100 }));

  it('another --format: the run says what it regenerates and why, and moves the earlier images to previous/, intact', async () => {
    const path = join(sb.dir, 'set.txt');
    await writeFile(path, 'alpha\nbeta\n');
    expect((await batch(path, '-f', 'webp')).exitCode).toBe(0);
    const before = await listing(sb.outDir);
    expect(Object.keys(before).every((n) => n.endsWith('.webp'))).toBe(true);

    const r = await batch(path, '-f', 'png');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      'regenerating 2 entries the lock knows, each a new paid job (earlier images are moved to previous/, never deleted):',
    );
    expect(r.stderr).toMatch(/ {2}alpha-\w+ \(line 1\): changed: output_format "webp" → "png"\n/);
    expect(r.stderr.indexOf('regenerating')).toBeLessThan(r.stderr.indexOf('done'));
    expect(r.stderr).toContain('earlier images of 2 changed entries were moved to previous/');
    const now = await listing(sb.outDir);
    expect(Object.keys(now).sort()).toEqual(
      Object.keys(before)
        .map((n) => n.replace(/\.webp$/, '.png'))
        .sort(),
    );
    // Not deleted: the very same bytes, under the same names, in previous/.
    expect(await listing(join(sb.outDir, 'previous'))).toEqual(before);
  });

  it('the announcement comes before paying: with no credits it is still said, and nothing is billed', async () => {
    const path = join(sb.dir, 'set.txt');
    await writeFile(path, 'alpha\n');
    expect((await batch(path, '-f', 'webp')).exitCode).toBe(0);
    emu.configure({ credits: 0 });
    emu.log.length = 0;
    const r = await batch(path, '-f', 'png');
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain('regenerating 1 entry the lock knows');
    expect(emu.log.filter((l) => l.method === 'POST' && l.status === 200)).toHaveLength(0);
    expect((await readdir(sb.outDir)).filter((n) => n.endsWith('.webp'))).toHaveLength(1);
  });

  it('after a FAILED entry the summary says truthfully that a rerun submits it again', async () => {
    const path = join(sb.dir, 'mixed.txt');
    await writeFile(path, 'a calm lake\nexplode please\n');
    const r = await batch(path);
    expect(r.exitCode).toBe(6);
    expect(r.stderr).not.toContain('not paid for again');
    expect(r.stderr).toContain(
      '1 entry that failed or never started is submitted again: a new job each, billed if it succeeds',
    );
    const dry = await batch(path, '--dry-run');
    expect(dry.stdout).toMatch(
      /^submit +explode-please-\w+ .*failed last time \(The generation failed: CUDA out of memory/m,
    );
    const again = await batch(path);
    expect(again.stderr).toMatch(/explode-please-\w+ \(line 2\): failed last time/);
  });
});

describe('item 12: spinner frames stay short', () => {
  it("a batch's spinner text fits in 40 columns with its frame, even at 1,000 entries after 1,000 s", async () => {
    const { BatchReporter } = await import('../../src/commands/shared/batch-reporter.js');
    const { Ui } = await import('../../src/cli/ui.js');
    const reporter = new BatchReporter(new Ui({ env: {} }), 1000);
    (reporter as unknown as { started: number }).started = Date.now() - 1_000_000;
    expect(reporter.spinnerLine()).toMatch(/^0\/1000 · 0 running · 0 failed · 1000s$/);
    expect(reporter.spinnerLine().length + 2).toBeLessThanOrEqual(40);
  });
});
