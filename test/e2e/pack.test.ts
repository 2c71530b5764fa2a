/**
 * What users install is what we test: `npm pack`, install the tarball into an empty prefix,
 * run `flux-krea` from there against the emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { imageInfo } from '../helpers/images.js';

const root = resolve(import.meta.dirname, '../..');
let dir: string;
let bin: string;
let emu: Emulator;
let files: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flux-krea-pack-'));
  // --ignore-scripts: the tree is already built by `npm test`; packing must not rebuild under vitest.
  const packed = await execa('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: root });
  const info = JSON.parse(packed.stdout)[0];
  files = info.files.map((f: { path: string }) => f.path);
  const prefix = join(dir, 'prefix');
  await execa('npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(dir, info.filename)], { cwd: dir });
  bin = join(prefix, 'bin', 'flux-krea');
  emu = await startEmulator();
}, 180_000);
afterAll(async () => {
  await emu?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('holds only what runs: bin, dist (with source maps), completions, README', () => {
    expect(files).toContain('bin/flux-krea.js');
    expect(files).toContain('dist/cli/index.cjs');
    expect(files).toContain('dist/cli/index.cjs.map');
    expect(files).toContain('dist/cli/index.cjs.cache');
    for (const v of ['chalk', 'conf', 'ora']) expect(files).toContain(`dist/vendor/${v}.js`);
    expect(files).toContain('dist/vendor/package.json');
    // The build's own step, not something that runs.
    expect(files).not.toContain('bin/write-code-cache.js');
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/types/index.d.ts');
    expect(files).toContain('README.md');
    expect(files.some((f) => f.startsWith('completions/'))).toBe(true);
    expect(files.filter((f) => /^(src|test|\.ci)\//.test(f) || f.startsWith('dist/emulator'))).toEqual([]);
  });

  it('installs into an empty prefix; --help, --version and a generation work from there', async () => {
    const env = { PATH: process.env.PATH ?? '', HOME: dir, FLUX_KREA_CONFIG_DIR: join(dir, 'config'), NO_COLOR: '1' };
    const help = await execa(bin, ['--help'], { env, extendEnv: false });
    expect(help.stdout).toContain('--aspect <ratio>');
    expect(help.stdout).toContain('Exit codes');
    const version = await execa(bin, ['--version'], { env, extendEnv: false });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const out = join(dir, 'art');
    const gen = await execa(bin, ['a wool raccoon explorer holding a sign', '--aspect', '21:9', '-n', '2', '--format', 'png', '-o', out, '--interval', '0.01'], {
      env: { ...env, SEGMIND_BASE_URL: emu.url, SEGMIND_UPLOAD_URL: emu.uploadUrl, SEGMIND_API_KEY: emu.apiKey },
      extendEnv: false, reject: false,
    });
    expect(gen.exitCode, gen.stderr).toBe(0);
    expect(await readdir(out)).toHaveLength(2);
    for (const f of gen.stdout.trim().split('\n')) expect(await imageInfo(f)).toMatchObject({ format: 'png', width: 1536, height: 640 });
    // conf, from the installed dist/vendor/: a saved default, then its source in a dry run.
    const set = await execa(bin, ['config', 'set', 'format', 'webp'], { env, extendEnv: false, reject: false });
    expect(set.exitCode, set.stderr).toBe(0);
    const dry = await execa(bin, ['a cat', '--dry-run', '--json'], { env, extendEnv: false });
    expect(JSON.parse(dry.stdout).body.output_format).toBe('webp');
  });

  it('starts from the installed code cache', async () => {
    const shim = join(dir, 'prefix', 'lib', 'node_modules', 'flux-krea', 'bin', 'flux-krea.js');
    const r = await execa(process.execPath, ['-e', `globalThis.FLUX_KREA_LOAD_ONLY = true; console.log(require(${JSON.stringify(shim)}).loadCli().how)`]);
    // Built and run by the same Node here: the shipped cache fits.
    expect(r.stdout).toBe('shipped cache');
  });

  it('is importable as a library', async () => {
    const lib = join(dir, 'prefix', 'lib', 'node_modules', 'flux-krea');
    const r = await execa(process.execPath, ['--input-type=module', '-e', `import { SegmindClient, ASPECT_RATIOS } from ${JSON.stringify(join(lib, 'dist/index.js'))}; console.log(typeof SegmindClient, ASPECT_RATIOS.length)`]);
    expect(r.stdout).toBe('function 11');
  });
});
