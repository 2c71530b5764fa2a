/**
 * The generate command against the emulator, through main() in-process (runMain). A real
 * process (runCli) where it is the point: stdin, pipes, a viewer found on PATH, TMPDIR.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readdir, stat } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { join, basename } from 'node:path';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { BIN, FAST, runCli, sandbox, type Sandbox } from '../helpers/cli.js';
import { runMain } from '../helpers/main.js';
import { execa } from 'execa';
import { imageInfo } from '../helpers/images.js';

let emu: Emulator;
let sb: Sandbox;
const submitsTo = (path: string) => emu.log.filter((r) => r.method === 'POST' && r.path === path);
const ANSI = /\u001b\[/;

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  emu.log.length = 0;
  emu.configure({
    v2ResultShape: 'images',
    v1Shape: 'bytes',
    unknownStatus: undefined,
    credits: 100,
    forbidden: false,
    rateLimit: undefined,
    progress: 'polls',
  });
  sb = await sandbox(emu);
});
afterEach(async () => {
  await sb.cleanup();
});

describe('generate (async, the default)', () => {
  // Node's recursive mkdir retried /proc's ENOENT forever: 90% CPU, through the first SIGTERM (issue 18).
  it.runIf(existsSync('/proc/self'))(
    '-o /proc/x fails at once with the directory named, before anything is sent',
    async () => {
      const started = Date.now();
      const r = await runMain(['a raccoon', '-o', '/proc/x', ...FAST], sb);
      expect(r.exitCode).toBe(1);
      expect(String(r.stderr)).toMatch(/\/proc\/x.*ENOENT/);
      expect(emu.log).toHaveLength(0);
      expect(Date.now() - started).toBeLessThan(10_000);
    },
  );

  it('submits once, polls, saves every image and prints the paths on stdout', async () => {
    const r = await runMain(['a wool raccoon explorer holding a sign', '-o', sb.outDir, ...FAST], sb);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const paths = String(r.stdout).trim().split('\n');
    expect(paths).toHaveLength(2);
    const body = submitsTo('/v2/flux-krea-dev')[0]!.body as Record<string, unknown>;
    expect(emu.submits()).toBe(1);
    expect(body).toMatchObject({
      prompt: 'a wool raccoon explorer holding a sign',
      aspect_ratio: '16:9',
      megapixels: '1',
      num_outputs: 2,
      guidance: 7,
      num_inference_steps: 40,
      output_format: 'jpg',
      output_quality: 90,
      go_fast: true,
      disable_safety_checker: false,
    });
    expect(body.seed).toEqual(expect.any(Number));
    for (const [i, p] of paths.entries()) {
      expect(basename(p)).toBe(`a-wool-raccoon-explorer-holding-a-sign-${body.seed}-${i + 1}.jpg`);
      expect(await imageInfo(p)).toMatchObject({ format: 'jpg', width: 1344, height: 768 });
    }
    const id = emu.log.find((l) => l.path.startsWith('/v2/requests/'))!.path.split('/')[3]!;
    expect(String(r.stderr)).toContain(id);
    expect(String(r.stderr)).toMatch(/saved 2 images .* seed \d+/);
    expect(String(r.stderr)).not.toMatch(ANSI);
    // Image URLs are public: the key never goes to the image host.
    const imageGets = emu.log.filter((l) => l.server === 'images');
    expect(imageGets).toHaveLength(2);
    for (const g of imageGets) expect(g.headers['x-api-key']).toBeUndefined();
    for (const l of emu.log.filter((x) => x.server === 'api')) {
      expect(l.headers['x-api-key']).toBe(emu.apiKey);
      // Segmind's gateway answers 406 without it, on polls too.
      expect(l.headers['content-type']).toBe('application/json');
    }
  });

  it('sends every flag under its API name, aliases included', async () => {
    const r = await runMain(
      [
        'p',
        '--aspect-ratio',
        '21:9',
        '-m',
        '0.25',
        '-n',
        '1',
        '-g',
        '3.5',
        '--num-inference-steps',
        '12',
        '--output-format',
        'png',
        '--output-quality',
        '70',
        '--seed',
        '1234',
        '--no-go-fast',
        '--disable-safety-checker',
        '-o',
        sb.outDir,
        ...FAST,
      ],
      sb,
    );
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(submitsTo('/v2/flux-krea-dev')[0]!.body).toEqual({
      prompt: 'p',
      aspect_ratio: '21:9',
      megapixels: '0.25',
      num_outputs: 1,
      guidance: 3.5,
      num_inference_steps: 12,
      output_format: 'png',
      output_quality: 70,
      seed: 1234,
      go_fast: false,
      disable_safety_checker: true,
    });
    const [p] = String(r.stdout).trim().split('\n');
    expect(basename(p!)).toBe('p-1234-1.png');
    expect(await imageInfo(p!)).toMatchObject({ format: 'png', width: 768, height: 320 });
  });

  it('short flags -a -s -f, webp, and a random seed that differs between runs', async () => {
    const a = await runMain(['fox', '-a', '1:1', '-s', '4', '-f', 'webp', '-n', '1', '-o', sb.outDir, ...FAST], sb);
    const b = await runMain(['fox', '-a', '1:1', '-s', '4', '-f', 'webp', '-n', '1', '-o', sb.outDir, ...FAST], sb);
    expect(a.exitCode).toBe(0);
    expect(b.exitCode).toBe(0);
    const [s1, s2] = submitsTo('/v2/flux-krea-dev').map((x) => (x.body as { seed: number }).seed);
    expect(s1).not.toBe(s2);
    expect(String(a.stdout).trim()).toMatch(/\.webp$/);
    expect((await imageInfo(String(a.stdout).trim())).format).toBe('webp');
  });

  it('never overwrites: the same seed twice picks the next free name', async () => {
    const args = ['same', '--seed', '7', '-n', '1', '-o', sb.outDir, ...FAST];
    const first = String((await runMain(args, sb)).stdout).trim();
    const before = await stat(first);
    const second = String((await runMain(args, sb)).stdout).trim();
    expect(basename(first)).toBe('same-7-1.jpg');
    expect(basename(second)).toBe('same-7-1_2.jpg');
    expect((await stat(first)).mtimeMs).toBe(before.mtimeMs);
    expect((await readdir(sb.outDir)).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('creates the output directory and --json prints one object', async () => {
    const out = join(sb.outDir, 'deep', 'er');
    const r = await runMain(['json me', '--seed', '99', '--json', '-o', out, ...FAST], sb);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const o = JSON.parse(String(r.stdout));
    expect(o).toMatchObject({ status: 'COMPLETED', seed: 99, params: { prompt: 'json me', seed: 99, num_outputs: 2 } });
    expect(o.request_id).toMatch(/^[0-9a-f]{32}$/);
    expect(o.files).toHaveLength(2);
    expect(o.files[0]).toMatchObject({ format: 'jpg', bytes: expect.any(Number) });
    expect(o.metrics.inference_time).toEqual(expect.any(Number));
    expect(o.files[0].path.startsWith(out)).toBe(true);
  });

  it('reads the prompt from stdin with - or a pipe', async () => {
    const dash = await runCli(['-', '-n', '1', '-o', sb.outDir, ...FAST], sb, {
      input: 'from stdin\n',
      stdin: undefined,
    });
    expect(dash.exitCode, String(dash.stderr)).toBe(0);
    const piped = await runCli(['-n', '1', '-o', sb.outDir, ...FAST], sb, { input: 'piped prompt', stdin: undefined });
    expect(piped.exitCode, String(piped.stderr)).toBe(0);
    expect(submitsTo('/v2/flux-krea-dev').map((x) => (x.body as { prompt: string }).prompt)).toEqual([
      'from stdin',
      'piped prompt',
    ]);
  });

  it('treats unknown states as still running', async () => {
    emu.configure({ unknownStatus: 'IN_PROGRESS' });
    const r = await runMain(['odd states', '-n', '1', '-o', sb.outDir, ...FAST], sb);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stderr)).toContain('IN_PROGRESS');
  });

  it.each(['images', 'output-array', 'base64', 'data-uri'] as const)('accepts the %s result shape', async (shape) => {
    emu.configure({ v2ResultShape: shape });
    const r = await runMain(['shape', '-n', '2', '-f', 'png', '-o', sb.outDir, ...FAST], sb);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const paths = String(r.stdout).trim().split('\n');
    expect(paths).toHaveLength(2);
    for (const p of paths) expect((await imageInfo(p)).format).toBe('png');
  });

  it('keeps fewer images than asked with a warning, exit 0', async () => {
    emu.configure({ v2ResultShape: 'output-string' });
    const r = await runMain(['one url only', '-n', '3', '-o', sb.outDir, ...FAST], sb);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout).trim().split('\n')).toHaveLength(1);
    expect(String(r.stderr)).toMatch(/warning: Asked for 3 images, got 1/);
  });

  it('the safety checker dropping some images is a warning', async () => {
    const r = await runMain(['a flagged scene', '-n', '4', '-o', sb.outDir, ...FAST], sb);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout).trim().split('\n')).toHaveLength(2);
    expect(String(r.stderr)).toContain('got 2');
  });

  it('-o - writes the single image to stdout', async () => {
    const r = await runMain(['to stdout', '-n', '1', '-f', 'png', '-o', '-', ...FAST], sb, { encoding: 'buffer' });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const out = r.stdout as unknown as Uint8Array;
    expect(Buffer.from(out).subarray(1, 4).toString()).toBe('PNG');
    const many = await runMain(['x', '-n', '2', '-o', '-'], sb);
    expect(many.exitCode).toBe(2);
    expect(String(many.stderr)).toContain('-n 1');
  });

  it('-o - into a reader that stops early (`| head -c 10`) ends quietly with exit 0', async () => {
    const status = join(sb.dir, 'status');
    const cmd = `("${process.execPath}" "${BIN}" "to a short reader" -n 1 -o - ${FAST.join(' ')}; echo $? > "${status}") | head -c 10 > /dev/null`;
    const r = await execa('sh', ['-c', cmd], {
      env: { PATH: process.env.PATH ?? '', HOME: sb.dir, ...sb.env },
      extendEnv: false,
      cwd: sb.dir,
    });
    expect(r.stderr).not.toMatch(/error|bug/i);
    expect(readFileSync(status, 'utf8').trim()).toBe('0');
  });
});

describe('--open', () => {
  it('hands each saved file to the system viewer; without one it only warns', async () => {
    const { mkdir, writeFile, chmod, readFile } = await import('node:fs/promises');
    const bin = join(sb.dir, 'bin');
    await mkdir(bin);
    const log = join(sb.dir, 'opened.txt');
    await writeFile(join(bin, 'xdg-open'), `#!/bin/sh\necho "$1" >> ${log}\n`);
    await chmod(join(bin, 'xdg-open'), 0o755);
    // A real process: the viewer is found on the process's PATH.
    const r = await runCli(['open me', '-n', '2', '--open', '-o', sb.outDir, ...FAST], sb, {
      env: { ...sb.env, PATH: `${bin}:${process.env.PATH}` },
    });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const paths = String(r.stdout).trim().split('\n');
    const { until } = await import('../helpers/wait.js');
    await until(() => {
      try {
        return readFileSync(log, 'utf8').trim().split('\n').length === 2;
      } catch {
        return false;
      }
    }, 'the viewer to be started twice');
    expect((await readFile(log, 'utf8')).trim().split('\n').sort()).toEqual(paths.sort());

    const none = await runCli(['no viewer', '-n', '2', '--open', '-o', sb.outDir, ...FAST], sb, {
      env: { ...sb.env, PATH: '/nonexistent' },
    });
    expect(none.exitCode).toBe(0);
    expect(String(none.stderr).match(/no image viewer found/g)).toHaveLength(1);
  });
});

describe('--sync (v1)', () => {
  it.each(['bytes', 'json-base64', 'json-urls'] as const)('saves the %s answer', async (shape) => {
    emu.configure({ v1Shape: shape });
    // One image: with -n above 1, --sync submits and polls (traps.test.ts, issue 13 item 9).
    const n = 1;
    const r = await runMain(['sync it', '--sync', '-n', String(n), '--seed', '5', '-o', sb.outDir], sb);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(submitsTo('/v1/flux-krea-dev')).toHaveLength(1);
    expect(submitsTo('/v2/flux-krea-dev')).toHaveLength(0);
    const paths = String(r.stdout).trim().split('\n');
    expect(paths).toHaveLength(n);
    for (const p of paths) expect(await imageInfo(p)).toMatchObject({ format: 'jpg', width: 1344 });
  });
});

describe('--sync --timeout', () => {
  it('bounds the blocking call: exit 7', async () => {
    emu.configure({ progress: 'time', queuedMs: 5000, processingMs: 0 });
    const r = await runMain(['slow sync', '--sync', '--timeout', '1', '-o', sb.outDir], sb);
    expect(r.exitCode).toBe(7);
    expect(String(r.stderr)).toContain('Still running after 1s');
  });
});

describe('--image', () => {
  it('uploads a local file and sends its URL', async () => {
    const { readFile } = await import('node:fs/promises');
    // Make an input image with the emulator itself: any real PNG will do.
    const r0 = await runMain(['seed image', '-n', '1', '-f', 'png', '-o', sb.outDir, ...FAST], sb);
    const input = String(r0.stdout).trim();
    emu.log.length = 0;
    const r = await runMain(
      ['make it blue', '--image', input, '--prompt-strength', '0.6', '-n', '1', '-o', sb.outDir, ...FAST],
      sb,
    );
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(emu.log.filter((l) => l.path === '/upload-asset')).toHaveLength(1);
    const body = submitsTo('/v2/flux-krea-dev')[0]!.body as Record<string, unknown>;
    expect(body.image).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/uploads\//);
    // What was uploaded is the file, byte for byte.
    const served = Buffer.from(await (await fetch(body.image as string)).arrayBuffer());
    expect(served.equals(await readFile(input))).toBe(true);
    expect(body.prompt_strength).toBe(0.6);
  });

  it('passes a URL as is', async () => {
    const r = await runMain(['x', '--image', 'https://example.com/cat.png', '--dry-run', '--json'], sb);
    expect(JSON.parse(String(r.stdout)).body.image).toBe('https://example.com/cat.png');
  });

  it('a missing file is a usage error and nothing is sent', async () => {
    const r = await runMain(['x', '--image', 'nope.png'], sb);
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr)).toContain('--image: "nope.png"');
    expect(emu.log).toHaveLength(0);
  });
});

describe('validation: exit 2, the flag, the value, what is allowed, no request', () => {
  it.each([
    [
      ['--aspect', '16x9'],
      '--aspect: "16x9" is not allowed; use one of 1:1, 16:9, 21:9, 3:2, 2:3, 4:5, 5:4, 3:4, 4:3, 9:16, 9:21. Did you mean 16:9?',
    ],
    [['-n', '5'], '-n'],
    [['--num-outputs', '0'], '--num-outputs: "0" is not allowed; use a whole number from 1 to 4.'],
    [['--guidance', '10.5'], '--guidance: "10.5" is not allowed; use a number from 0 to 10.'],
    [['--steps', '51'], '--steps: "51" is not allowed; use a whole number from 1 to 50.'],
    [['--num-inference-steps', 'x'], '--num-inference-steps: "x" is not allowed'],
    [['--format', 'jpeg'], 'Did you mean jpg?'],
    [['--quality', '-1'], '--quality: "-1" is not allowed; use a whole number from 0 to 100.'],
    [['--prompt-strength', '2'], '--prompt-strength: "2" is not allowed; use a number from 0 to 1.'],
    [['--megapixels', '2'], '--megapixels: "2" is not allowed; use one of 1, 0.25.'],
    [['--seed', 'abc'], '--seed: "abc" is not allowed; use a whole number.'],
    [['--timeout', '0'], '--timeout: "0" is not allowed'],
    [['--aspect'], "option '-a, --aspect <ratio>' argument missing"],
    [['--aspet', '1:1'], '--aspect'],
  ])('%j', async (args, message) => {
    const r = await runMain(['a prompt', ...args], sb);
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr)).toContain(message);
    expect(String(r.stdout)).toBe('');
    expect(emu.log).toHaveLength(0);
  });

  it('an empty prompt', async () => {
    const r = await runMain(['   '], sb);
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr)).toContain('prompt is empty');
    expect(emu.log).toHaveLength(0);
  });
  it('a prompt of invisible characters only (a pasted zero-width space)', async () => {
    const r = await runMain(['\u200b\ufeff '], sb);
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr)).toContain('The prompt has no visible character.');
    expect(emu.log).toHaveLength(0);
  });
  it('a flag and its alias with different values', async () => {
    const r = await runMain(['p', '--aspect', '1:1', '--aspect-ratio', '4:3'], sb);
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr)).toContain('--aspect and --aspect-ratio');
  });
});

describe('--dry-run', () => {
  it('prints the endpoint and exact body, needs no key, sends nothing', async () => {
    const r = await runMain(['dry', '--seed', '3', '-a', '9:16', '--dry-run'], {
      ...sb,
      env: { ...sb.env, SEGMIND_API_KEY: '' },
    });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const [first, ...rest] = String(r.stdout).split('\n');
    expect(first).toBe(`POST ${emu.url}/v2/flux-krea-dev`);
    expect(JSON.parse(rest.join('\n'))).toMatchObject({ prompt: 'dry', seed: 3, aspect_ratio: '9:16', num_outputs: 2 });
    expect(String(r.stderr)).toMatch(/aspect_ratio\s+flag \(--aspect\)/);
    expect(emu.log).toHaveLength(0);
    const sync = await runMain(['dry', '--sync', '-n', '1', '--dry-run', '--json'], sb);
    expect(JSON.parse(String(sync.stdout)).endpoint).toBe(`${emu.url}/v1/flux-krea-dev`);
  });
});

describe('output streams', () => {
  it('--quiet leaves stderr empty on success; --verbose shows HTTP with the key redacted', async () => {
    const q = await runMain(['quiet', '-n', '1', '-q', '-o', sb.outDir, ...FAST], sb);
    expect(q.exitCode).toBe(0);
    expect(String(q.stderr)).toBe('');
    const v = await runMain(['loud', '-n', '1', '--verbose', '-o', sb.outDir, ...FAST], sb);
    expect(v.exitCode).toBe(0);
    expect(String(v.stderr)).toContain('POST');
    expect(String(v.stderr)).toContain('[redacted]');
    expect(String(v.stderr)).not.toContain(emu.apiKey);
    expect(String(v.stdout)).not.toContain(emu.apiKey);
  });
});

describe('exit codes', () => {
  it('3 without a key, naming both ways to give one', async () => {
    const r = await runMain(['x'], { ...sb, env: { ...sb.env, SEGMIND_API_KEY: '' } });
    expect(r.exitCode).toBe(3);
    expect(String(r.stderr)).toContain('SEGMIND_API_KEY');
    expect(String(r.stderr)).toContain('flux-krea auth login');
    expect(emu.log).toHaveLength(0);
  });
  it('3 on a rejected key (401) and on 403', async () => {
    const r = await runMain(['x', ...FAST], { ...sb, env: { ...sb.env, SEGMIND_API_KEY: 'SG_ffffffffffffffff' } });
    expect(r.exitCode).toBe(3);
    expect(String(r.stderr)).toContain('401');
    expect(String(r.stderr)).not.toContain('SG_ffffffffffffffff');
    emu.configure({ forbidden: true });
    const f = await runMain(['x', ...FAST], sb);
    expect(f.exitCode).toBe(3);
    expect(String(f.stderr)).toContain('403');
  });
  it('3 for a key that cannot be sent in a header, before any request', async () => {
    const r = await runMain(['x'], { ...sb, env: { ...sb.env, SEGMIND_API_KEY: 'SG_bad key\u00e9' } });
    expect(r.exitCode).toBe(3);
    expect(String(r.stderr)).toContain('SEGMIND_API_KEY has spaces or characters');
    expect(emu.log).toHaveLength(0);
  });
  it('--json failures are JSON on stdout, usage errors included', async () => {
    const r = await runMain(['x', '--json', '--bogus'], sb);
    expect(r.exitCode).toBe(2);
    expect(JSON.parse(String(r.stdout))).toMatchObject({ status: 'error', error: { kind: 'usage', exit_code: 2 } });
  });
  it('-o - leaves no staging directory behind when it fails', async () => {
    emu.configure({ queuedPolls: 1_000_000 });
    const r = await runCli(['x', '-n', '1', '-o', '-', '--timeout', '1', ...FAST], {
      ...sb,
      env: { ...sb.env, TMPDIR: sb.dir },
    });
    emu.configure({ queuedPolls: 1 });
    expect(r.exitCode).toBe(7);
    expect((await readdir(sb.dir)).filter((d) => d.startsWith('flux-krea-'))).toEqual([]);
    const { jobs } = JSON.parse(String((await runMain(['jobs', '--json'], sb)).stdout));
    // Absolute (issue 13 item 6): the directory the run was started in.
    expect(jobs[0].out_dir).toBe(sb.dir);
  });
  it('4 when credits run out (406)', async () => {
    emu.configure({ credits: 0 });
    const r = await runMain(['x', ...FAST], sb);
    expect(r.exitCode).toBe(4);
    expect(String(r.stderr)).toMatch(/credits/i);
  });
  it('6 when the generation FAILED, with the server detail and the journal updated', async () => {
    const r = await runMain(['please explode', '--json', ...FAST, '-o', sb.outDir], sb);
    expect(r.exitCode).toBe(6);
    expect(String(r.stderr)).toContain('CUDA out of memory');
    const o = JSON.parse(String(r.stdout));
    expect(o).toMatchObject({ status: 'error', error: { kind: 'job-failed', exit_code: 6 } });
    const { jobs } = JSON.parse(String((await runMain(['jobs', '--json'], sb)).stdout));
    expect(jobs[0]).toMatchObject({ request_id: o.request_id, state: 'failed' });
  });
  it('6 when every image is blocked by the safety checker', async () => {
    const r = await runMain(['forbidden thing', ...FAST], sb);
    expect(r.exitCode).toBe(6);
    expect(String(r.stderr)).toContain('NSFW');
  });
});
