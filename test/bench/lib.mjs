// Shared pieces of the benchmark: statistics, running the built CLI, the in-process emulator.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin', 'flux-krea.js');
export const RSS_PROBE = join(import.meta.dirname, 'rss-probe.mjs');

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Epoch milliseconds with sub-millisecond precision, comparable with the emulator's Date.now() log times. */
export const now = () => performance.timeOrigin + performance.now();

export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), `flux-krea-bench-${prefix}-`));
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Runs a command and resolves with its exit code, output and wall time (from spawn to exit).
 * Output is discarded unless asked for, so that a pipe's speed does not enter the timing.
 */
export function run(cmd, args, { env, cwd, capture = false } = {}) {
  return new Promise((done, fail) => {
    const start = now();
    const child = spawn(cmd, args, {
      env,
      cwd,
      stdio: ['ignore', capture ? 'pipe' : 'ignore', capture ? 'pipe' : 'ignore'],
    });
    const out = [];
    const err = [];
    child.stdout?.on('data', (b) => out.push(b));
    child.stderr?.on('data', (b) => err.push(b));
    child.on('error', fail);
    child.on('exit', (code, signal) => {
      const end = now();
      // 'exit' can come before the pipes are drained.
      const finish = () =>
        done({
          code: code ?? (signal ? 128 : 1),
          start,
          end,
          ms: end - start,
          stdout: Buffer.concat(out).toString(),
          stderr: Buffer.concat(err).toString(),
        });
      if (capture) child.on('close', finish);
      else finish();
    });
  });
}

/**
 * Variables of this environment that change how long every Node process takes to start, the
 * floor included: NODE_EXTRA_CA_CERTS, for one, makes Node read a CA bundle at each start.
 */
export const NODE_VARS = Object.keys(process.env)
  .filter((k) => /^NODE_/.test(k) && k !== 'NODE_ENV')
  .sort();

/**
 * The environment the CLI runs in: this one, as a user here has it, but without flux-krea's
 * own variables (no real key, endpoint or config leaks in), with colour off and a temp HOME
 * and config dir. `bare` keeps only PATH: Node's start-up as on a machine with no NODE_ settings.
 */
export function cliEnv(dir, extra = {}, { bare = false } = {}) {
  const base = bare
    ? { PATH: process.env.PATH ?? '' }
    : Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(SEGMIND_|FLUX_KREA_|FORCE_COLOR$)/.test(k)));
  return { ...base, HOME: dir, NO_COLOR: '1', FLUX_KREA_CONFIG_DIR: join(dir, 'config'), ...extra };
}

/**
 * Starts the emulator from the built bundle (dist/emulator/serve.js, made by `npm run build`)
 * in this process, so that its request log can be read. serve's main() announces its URLs on
 * stdout; that line is kept out of the benchmark's table.
 */
export async function startEmulator(args) {
  const { main } = await import(pathToFileURL(join(ROOT, 'dist', 'emulator', 'serve.js')).href);
  const write = process.stdout.write;
  process.stdout.write = () => true;
  try {
    return await main(args);
  } finally {
    process.stdout.write = write;
  }
}

export function emulatorEnv(dir, emu, extra = {}) {
  return cliEnv(dir, {
    SEGMIND_BASE_URL: emu.url,
    SEGMIND_UPLOAD_URL: emu.uploadUrl,
    SEGMIND_API_KEY: emu.apiKey,
    ...extra,
  });
}

export const fmtMs = (ms) => `${Math.round(ms)} ms`;
export const fmtMB = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
