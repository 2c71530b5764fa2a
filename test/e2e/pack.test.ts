/**
 * What users install is what we test: `npm pack`, install the tarball into an empty prefix,
 * run `flux-krea` from there against the emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { imageInfo } from '../helpers/images.js';
import { SCHEMA_NAMES } from '../../src/commands/schema.js';

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
  await execa(
    'npm',
    [
      'install',
      '--global',
      '--prefix',
      prefix,
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      join(dir, info.filename),
    ],
    { cwd: dir },
  );
  bin = join(prefix, 'bin', 'flux-krea');
  emu = await startEmulator();
}, 180_000);
/** The installed package's folder. */
const installed = () => join(dir, 'prefix', 'lib', 'node_modules', 'flux-krea');

/** Packages (folders with a package.json directly under a node_modules) and file bytes under `root`, a node_modules. */
async function tally(root: string): Promise<{ packages: number; bytes: number }> {
  let packages = 0;
  let bytes = 0;
  const walk = async (d: string, inNodeModules: boolean): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        const scope = inNodeModules && e.name.startsWith('@');
        if (inNodeModules && !scope && !e.name.startsWith('.')) packages++;
        await walk(p, scope || e.name === 'node_modules');
      } else if (e.isFile()) bytes += (await stat(p)).size;
    }
  };
  await walk(root, true);
  return { packages, bytes };
}

afterAll(async () => {
  await emu?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('holds only what runs: bin, dist (with source maps and types), completions, schemas, README, SKILL.md', () => {
    expect(files).toContain('bin/flux-krea.js');
    expect(files).toContain('bin/package.json');
    expect(files).toContain('dist/cli.js');
    expect(files).toContain('dist/cli.js.map');
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.js.map');
    expect(files).toContain('dist/types/index.d.ts');
    // Command bodies and the heavy packages are chunks that the CLI imports when it needs them.
    expect(files.filter((f) => /^dist\/chunks\/.*\.js$/.test(f)).length).toBeGreaterThan(1);
    expect(files).toContain('README.md');
    expect(files.some((f) => f.startsWith('completions/'))).toBe(true);
    expect(files).toContain('SKILL.md');
    expect(files.filter((f) => f.startsWith('schemas/')).sort()).toEqual(
      SCHEMA_NAMES.map((n) => `schemas/${n}.json`).sort(),
    );
    expect(files.filter((f) => /^(src|test|\.ci)\//.test(f) || f.startsWith('dist/emulator'))).toEqual([]);
  });

  it('installs as one small package: everything it runs is in its bundles (issue 10 item 7)', async () => {
    const { packages, bytes } = await tally(join(dir, 'prefix', 'lib', 'node_modules'));
    expect(packages).toBeLessThanOrEqual(6);
    expect(bytes).toBeLessThanOrEqual(8e6);
    // Not shipped twice: the bundles hold the runtime packages, so none is a dependency…
    const pkg = JSON.parse(await readFile(join(installed(), 'package.json'), 'utf8')) as { dependencies?: object };
    // The one exception: @cwasm/webp, whose .wasm file is read at run time (nothing of it is bundled).
    expect(pkg.dependencies ?? {}).toEqual({ '@cwasm/webp': expect.any(String) });
  });

  it('source maps point back to src/', async () => {
    const map = JSON.parse(await readFile(join(installed(), 'dist', 'cli.js.map'), 'utf8')) as { sources: string[] };
    expect(map.sources).toContain('../src/cli/main.ts');
  });

  it('installs into an empty prefix; --help, --version and a generation work from there', async () => {
    const env = { PATH: process.env.PATH ?? '', HOME: dir, FLUX_KREA_CONFIG_DIR: join(dir, 'config'), NO_COLOR: '1' };
    const help = await execa(bin, ['--help'], { env, extendEnv: false });
    expect(help.stdout).toContain('--aspect <ratio>');
    expect(help.stdout).toContain('Commands:');
    const version = await execa(bin, ['--version'], { env, extendEnv: false });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const out = join(dir, 'art');
    const gen = await execa(
      bin,
      [
        'a wool raccoon explorer holding a sign',
        '--aspect',
        '21:9',
        '-n',
        '2',
        '--format',
        'png',
        '-o',
        out,
        '--interval',
        '0.01',
      ],
      {
        env: { ...env, SEGMIND_BASE_URL: emu.url, SEGMIND_UPLOAD_URL: emu.uploadUrl, SEGMIND_API_KEY: emu.apiKey },
        extendEnv: false,
        reject: false,
      },
    );
    expect(gen.exitCode, gen.stderr).toBe(0);
    expect(await readdir(out)).toHaveLength(2);
    for (const f of gen.stdout.trim().split('\n'))
      expect(await imageInfo(f)).toMatchObject({ format: 'png', width: 1536, height: 640 });
    // conf, from its chunk in the installed dist/: a saved default, then its source in a dry run.
    const set = await execa(bin, ['config', 'set', 'format', 'webp'], { env, extendEnv: false, reject: false });
    expect(set.exitCode, set.stderr).toBe(0);
    const dry = await execa(bin, ['a cat', '--dry-run', '--json'], { env, extendEnv: false });
    expect(JSON.parse(dry.stdout).body.output_format).toBe('webp');
    // The schemas it prints are the files it ships.
    const schema = await execa(bin, ['schema', 'batch'], { env, extendEnv: false });
    expect(JSON.parse(schema.stdout)).toEqual(
      JSON.parse(await readFile(join(installed(), 'schemas', 'batch.json'), 'utf8')),
    );
  });

  // That the library's public types need neither zod nor undici (both bundled, not installed)
  // is checked by library-pack.test.ts, which compiles the README's snippet against them.

  // Issue 16: the decoders load lazily, and WebP's .wasm is found by module resolution from
  // the bundle: this proves both from the installed layout, for every format.
  it('writes a gallery of PNG, JPEG and WebP images from the installed package', async () => {
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      FLUX_KREA_CONFIG_DIR: join(dir, 'config'),
      NO_COLOR: '1',
      SEGMIND_BASE_URL: emu.url,
      SEGMIND_UPLOAD_URL: emu.uploadUrl,
      SEGMIND_API_KEY: emu.apiKey,
    };
    const out = join(dir, 'formats');
    for (const format of ['png', 'jpg', 'webp']) {
      const gen = await execa(
        bin,
        [`a ${format}`, '-n', '1', '-m', '0.25', '--format', format, '-o', out, '--interval', '0.01'],
        { env, extendEnv: false, reject: false },
      );
      expect(gen.exitCode, gen.stderr).toBe(0);
    }
    const page = join(dir, 'gallery.html');
    const g = await execa(bin, ['gallery', out, '-o', page], { env, extendEnv: false, reject: false });
    expect(g.exitCode, g.stderr).toBe(0);
    expect(g.stderr).not.toMatch(/no thumbnail/);
    const html = await readFile(page, 'utf8');
    expect(html.match(/src="data:image\/jpeg;base64,/g)).toHaveLength(3);
  });

  // Issue 14, as a user runs it: a batch stopped by --max-cost, then the command it prints.
  it('a batch stopped by --max-cost (exit 4) continues with the command it prints, paying only for the rest', async () => {
    const money = await startEmulator({ credits: 5, costPerImage: 0.01 });
    try {
      const env = {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        FLUX_KREA_CONFIG_DIR: join(dir, 'money-config'),
        NO_COLOR: '1',
        SEGMIND_BASE_URL: money.url,
        SEGMIND_API_KEY: money.apiKey,
      };
      const work = join(dir, 'money');
      await mkdir(work, { recursive: true });
      await writeFile(join(work, 'shots.txt'), 'a lighthouse\na red fox\na paper boat\na glass city\n');
      const opts = { env, extendEnv: false, reject: false, cwd: work } as const;
      const first = await execa(
        bin,
        ['batch', 'shots.txt', '-o', 'art', '-n', '1', '--interval', '0.01', '--max-cost', '0.02'],
        opts,
      );
      expect(first.exitCode, first.stderr).toBe(4);
      const command = /to continue: (flux-krea batch .*)$/m.exec(first.stderr)?.[1];
      expect(command).toBe('flux-krea batch shots.txt --num-outputs 1 --out art --interval 0.01 --max-cost 0.02');
      expect(money.submits()).toBe(2);
      const [, ...args] = command!.split(' ');
      const rest = await execa(bin, args, opts);
      expect(rest.exitCode, rest.stderr).toBe(0);
      expect(rest.stderr).toContain('2 done · 2 skipped');
      expect(rest.stderr).toContain('2 images · 0.02 credits · 4.96 left');
      expect(money.submits()).toBe(4);
    } finally {
      await money.close();
    }
  });

  it('is importable as a library', async () => {
    const lib = installed();
    const r = await execa(process.execPath, [
      '--input-type=module',
      '-e',
      `import { SegmindClient, ASPECT_RATIOS } from ${JSON.stringify(join(lib, 'dist/index.js'))}; const c = new SegmindClient({ apiKey: 'SG_0' }); console.log(typeof SegmindClient, ASPECT_RATIOS.includes('1:1'), typeof c.generate)`,
    ]);
    // The public surface loads from the bundle; library-pack.test.ts compiles and runs the README's snippet.
    expect(r.stdout).toBe('function true function');
  });
});
