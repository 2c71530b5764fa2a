/**
 * Start-up stays fast (issue 6; `npm run bench` measures it): a bare `--version` is answered
 * by the bin shim itself, `--help` and a dry run load none of the heavy code, and the code
 * cache that makes the bundle quick to load is accepted. These check what a start loads, not
 * how long it takes, so they hold whatever a timing on a busy machine would say.
 */
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BIN, runCli, sandbox } from '../helpers/cli.js';

const root = resolve(import.meta.dirname, '../..');

describe('--version', () => {
  it('prints what commander would print, from the shim', async () => {
    const sb = await sandbox();
    try {
      const { version } = JSON.parse(await readFile(resolve(root, 'package.json'), 'utf8')) as { version: string };
      const fast = await runCli(['--version'], sb);
      const short = await runCli(['-V'], sb);
      // Any other argument goes through commander.
      const commander = await runCli(['--quiet', '--version'], sb);
      expect(commander.exitCode).toBe(0);
      expect(commander.stdout).toBe(version);
      for (const r of [fast, short]) {
        expect(r.exitCode).toBe(0);
        expect(r.stdout).toBe(commander.stdout);
        expect(r.stderr).toBe('');
      }
    } finally {
      await sb.cleanup();
    }
  });
});

interface Probe {
  required: string[];
  internals: string[];
}

/** What a process loads: `node -r load-probe.cjs ...args`, with stdout and stderr as pipes. */
async function probe(args: string[]): Promise<Probe & { exitCode?: number; stdout: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'flux-krea-probe-'));
  try {
    const out = join(dir, 'probe.json');
    const r = await execa(process.execPath, ['-r', resolve(root, 'test/helpers/load-probe.cjs'), ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: dir, FLUX_KREA_CONFIG_DIR: join(dir, 'config'), LOAD_PROBE_OUT: out },
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
    });
    return { ...(JSON.parse(await readFile(out, 'utf8')) as Probe), exitCode: r.exitCode, stdout: r.stdout };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// Node internals that betray a heavy path: the stream stack and net (process.stdout or stderr
// built), node:tty, fs/promises, child processes, crypto, the ES module loader.
const HEAVY_INTERNAL = /^NativeModule (net|tty|stream|internal\/streams\/|internal\/fs\/promises|child_process|crypto|internal\/crypto\/|internal\/modules\/esm\/)/;
// What the bundle may require() lazily: the ESM-only packages (dist/vendor/) and undici.
const HEAVY_REQUIRE = /^(\.\.\/vendor\/|undici)/;

describe('what each start loads', async () => {
  const floor = await probe(['-e', '0']);
  const baseline = new Set(floor.internals);

  it.each([
    ['--help', ['--help']],
    ['a dry run', ['a lighthouse at dusk', '--dry-run']],
    ['a dry run with --json', ['a lighthouse at dusk', '--dry-run', '--json']],
  ])('%s: neither the heavy packages nor the heavy Node internals', async (_name, args) => {
    const p = await probe([BIN, ...args]);
    expect(p.exitCode).toBe(0);
    expect(p.stdout.length).toBeGreaterThan(0);
    expect(p.required.filter((id) => HEAVY_REQUIRE.test(id))).toEqual([]);
    expect(p.internals.filter((m) => !baseline.has(m) && HEAVY_INTERNAL.test(m))).toEqual([]);
  });

  it('a generation path does load them, so the probe can see them', async () => {
    // An error shown in colour needs chalk: the vendored bundle loads through the bundle's require.
    const sb = await sandbox(undefined, { FORCE_COLOR: '1', NO_COLOR: '' });
    try {
      const r = await runCli(['a cat', '--aspect', '7:7'], sb);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain('\u001b[31merror:\u001b[39m');
    } finally {
      await sb.cleanup();
    }
    // Removing the stored key writes the config with conf.
    const p = await probe([BIN, 'auth', 'logout']);
    expect(p.exitCode).toBe(0);
    expect(p.required).toContain('../vendor/conf.js');
    expect(p.internals.filter((m) => !baseline.has(m) && HEAVY_INTERNAL.test(m)).length).toBeGreaterThan(0);
  });
});

describe('the code cache', () => {
  /** How bin/flux-krea.js compiles the bundle at `shim`, run by this test's Node (HOME: where Node 22's own cache may go). */
  const how = async (shim: string, home: string, opts = '') =>
    (await execa(process.execPath, ['-e', `globalThis.FLUX_KREA_LOAD_ONLY = true; console.log(require(${JSON.stringify(shim)}).loadCli(${opts}).how)`], {
      env: { PATH: process.env.PATH ?? '', HOME: home }, extendEnv: false,
    })).stdout;

  it('is written by the build and taken by this Node', async () => {
    const sb = await sandbox();
    try {
      expect(await how(BIN, sb.dir)).toBe('shipped cache');
    } finally {
      await sb.cleanup();
    }
  });

  it('is not used for a bundle edited since, even at the same length', async () => {
    // A copy of the built package, whose bundle is then patched in place.
    const dir = await mkdtemp(join(tmpdir(), 'flux-krea-stale-'));
    try {
      await cp(resolve(root, 'bin'), join(dir, 'bin'), { recursive: true });
      await cp(resolve(root, 'dist/cli'), join(dir, 'dist/cli'), { recursive: true });
      await cp(resolve(root, 'dist/vendor'), join(dir, 'dist/vendor'), { recursive: true });
      await cp(resolve(root, 'package.json'), join(dir, 'package.json'));
      await symlink(resolve(root, 'node_modules'), join(dir, 'node_modules'));
      const bundle = join(dir, 'dist/cli/index.cjs');
      const text = await readFile(bundle, 'utf8');
      const patched = text.replace('Generate images with FLUX.1 Krea', 'GENERATE IMAGES WITH FLUX.1 KREA');
      expect(patched.length).toBe(text.length);
      await writeFile(bundle, patched);
      const shim = join(dir, 'bin/flux-krea.js');
      // Node 20 compiles from source; Node 22.1 and later use their own compile cache.
      expect(['compiled', 'node cache']).toContain(await how(shim, dir));
      const help = await execa(process.execPath, [shim, '--help'], { env: { PATH: process.env.PATH ?? '', HOME: dir }, extendEnv: false });
      expect(help.stdout).toContain('GENERATE IMAGES WITH FLUX.1 KREA');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a missing cache only costs time: the bundle compiles from source', async () => {
    const sb = await sandbox();
    try {
      expect(await how(BIN, sb.dir, '{ useCache: false }')).toBe('compiled');
    } finally {
      await sb.cleanup();
    }
  });
});

describe('stdout written directly (src/cli/output.ts)', () => {
  it('a reader that has gone (`| true`) ends the run quietly, with its own exit code', async () => {
    const sb = await sandbox();
    try {
      const status = join(sb.dir, 'status');
      const cli = `"${process.execPath}" "${BIN}"`;
      // `true` exits at once, long before Node has started: the writes find the pipe closed.
      const cases: [string, string][] = [
        [`${cli} --help`, '0'],
        [`${cli} "a cat" --dry-run --json`, '0'],
        // A usage error whose --json report meets a closed stdout: still exit 2.
        [`${cli} "a cat" --aspect 7:7 --json 2>/dev/null`, '2'],
        // commander's own usage error, on a closed stderr.
        [`${cli} --bogus 2>&1 >/dev/null`, '2'],
        // No key: exit 3, its message on a closed stderr.
        [`${cli} "a cat" 2>&1 >/dev/null`, '3'],
        // Answered by the shim itself.
        [`${cli} --version`, '0'],
      ];
      for (const [cmd, code] of cases) {
        const r = await execa('sh', ['-c', `(${cmd}; echo $? > "${status}") | true`], {
          env: { PATH: process.env.PATH ?? '', ...sb.env }, extendEnv: false, cwd: sb.dir,
        });
        expect(r.stderr, cmd).toBe('');
        expect((await readFile(status, 'utf8')).trim(), cmd).toBe(code);
      }
    } finally {
      await sb.cleanup();
    }
  });

  it('stdout that cannot be written (a full disk) is exit 1 with a message, not a crash', async () => {
    const sb = await sandbox();
    try {
      const cli = `"${process.execPath}" "${BIN}"`;
      const cases: [string, number][] = [
        [`${cli} --help`, 1],
        [`${cli} "a cat" --dry-run --json`, 1],
        // The usage error stays the error that counts.
        [`${cli} "a cat" --aspect 7:7 --json`, 2],
      ];
      for (const [cmd, code] of cases) {
        const r = await execa('sh', ['-c', `${cmd} > /dev/full`], { env: { PATH: process.env.PATH ?? '', ...sb.env }, extendEnv: false, cwd: sb.dir, reject: false });
        expect(r.exitCode, cmd).toBe(code);
        expect(r.stderr, cmd).not.toMatch(/at .*\(|Unexpected error/);
        if (code === 1) expect(r.stderr).toContain('Cannot write to stdout (ENOSPC)');
      }
    } finally {
      await sb.cleanup();
    }
  });

  it('a file gets the same text as a pipe', async () => {
    const sb = await sandbox();
    try {
      const file = join(sb.dir, 'help.txt');
      await execa('sh', ['-c', `"${process.execPath}" "${BIN}" --help > "${file}"`], { env: { PATH: process.env.PATH ?? '', ...sb.env }, extendEnv: false });
      const piped = await runCli(['--help'], sb);
      expect(await readFile(file, 'utf8')).toBe(`${piped.stdout}\n`);
    } finally {
      await sb.cleanup();
    }
  });
});
