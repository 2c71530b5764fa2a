/**
 * Runs the built CLI (bin/flux-krea.js → dist/) with execa, as a user would, against an
 * emulator, with a temp config dir so the user's real config is never touched. For tests
 * where the process is the point; test/helpers/main.ts runs main() in-process for the rest.
 *
 * Test depths: test/unit (pure functions, the client against the emulator), test/cli (command
 * behaviour through main() in-process; a real process only for stdin, signals, pipes),
 * test/completions (real shells), test/e2e (start-up, terminals, the packed tarball).
 */
import { execa, type Options, type Result } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Emulator } from '../emulator/index.js';

export const BIN = resolve(import.meta.dirname, '../../bin/flux-krea.js');

export interface Sandbox {
  dir: string;
  configDir: string;
  outDir: string;
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

/** A temp dir with config/ and out/, and an env pointing the CLI at the emulator. */
export async function sandbox(emu?: Emulator, extraEnv: Record<string, string> = {}): Promise<Sandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'flux-krea-test-'));
  const configDir = join(dir, 'config');
  const outDir = join(dir, 'out');
  const env: Record<string, string> = {
    FLUX_KREA_CONFIG_DIR: configDir,
    NO_COLOR: '1',
    ...(emu ? { SEGMIND_BASE_URL: emu.url, SEGMIND_UPLOAD_URL: emu.uploadUrl, SEGMIND_API_KEY: emu.apiKey } : {}),
    ...extraEnv,
  };
  return { dir, configDir, outDir, env, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Runs `flux-krea ...args`. Never throws on a non-zero exit: tests assert exitCode. The parent
 * environment is not inherited (no real SEGMIND_API_KEY or config leaks in), except PATH.
 */
export function runCli(args: string[], sb: Pick<Sandbox, 'env' | 'dir'>, opts: Options = {}): Promise<Result> {
  return execa(process.execPath, [BIN, ...args], {
    cwd: sb.dir,
    env: { PATH: process.env.PATH ?? '', HOME: sb.dir, ...sb.env, ...(opts.env as Record<string, string> | undefined) },
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    timeout: 30_000,
    ...opts,
  } as Options) as Promise<Result>;
}

/** Fast polling for tests: the emulator's default 'polls' progression needs no real waiting. */
export const FAST = ['--interval', '0.01'];

/** The bodies of the v2 submits the emulator accepted (200): the jobs that were paid for. */
export function billedSubmits(emu: Emulator): Record<string, unknown>[] {
  return emu.log
    .filter((l) => l.method === 'POST' && l.path.startsWith('/v2/flux-krea-dev') && l.status === 200)
    .map((l) => l.body as Record<string, unknown>);
}
