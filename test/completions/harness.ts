/**
 * Shared set-up for the completion tests: the scripts as the built CLI prints them, a temp
 * tree with files and directories to complete, a `flux-krea` on PATH (the scripts are shims
 * that ask its hidden `__complete` on every TAB) and a journal with two known jobs.
 */
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { BIN } from '../helpers/cli.js';

export const RATIOS = ['1:1', '16:9', '21:9', '3:2', '2:3', '4:5', '5:4', '3:4', '4:3', '9:16', '9:21'];
export const JOB_IDS = ['req-older-0001', 'req-newer-0002'];
/** A journal line no shell may run or offer (the journal is a file; ids come from a server). */
export const EVIL_ID = 'req-$(touch PWNED)';

/** True when the shell is installed; the tests of a missing shell are skipped, never faked. */
export function hasShell(shell: string): boolean {
  return spawnSync(shell, ['-c', 'exit 0'], { stdio: 'ignore' }).status === 0;
}

export function skipMessage(shell: string): string {
  return hasShell(shell) ? '' : ` (SKIPPED: ${shell} is not installed; apt-get install -y ${shell})`;
}

export interface Fixture {
  dir: string;
  /** Holds `art/`, `assets/` and the files `photo.jpg`, `prompts.jsonl`. */
  work: string;
  /** The fixture's shell's script, as `flux-krea completion <shell>` prints it. */
  script: string;
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

export type Shell = 'bash' | 'zsh' | 'fish';

export async function fixture(shell: Shell): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), 'flux-krea-compl-'));
  const work = join(dir, 'work');
  const bin = join(dir, 'bin');
  const configDir = join(dir, 'config');
  const scripts = join(dir, 'scripts');
  await Promise.all([mkdir(join(work, 'art'), { recursive: true }), mkdir(join(work, 'assets'), { recursive: true }), mkdir(bin), mkdir(join(configDir, 'state'), { recursive: true }), mkdir(scripts)]);
  await writeFile(join(work, 'photo.jpg'), 'not really a jpeg');
  await writeFile(join(work, 'prompts.jsonl'), '{"prompt":"a cat"}\n');
  const journal = [...JOB_IDS, EVIL_ID].map((id, i) => JSON.stringify({ id, createdAt: `2026-01-0${i + 1}T00:00:00.000Z`, state: 'submitted', mode: 'async' }));
  await writeFile(join(configDir, 'state', 'jobs.jsonl'), `${journal.join('\n')}\n`);
  await writeFile(join(bin, 'flux-krea'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  await chmod(join(bin, 'flux-krea'), 0o755);
  const env = { PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: dir, FLUX_KREA_CONFIG_DIR: configDir, NO_COLOR: '1' };
  const files = { bash: 'flux-krea.bash', zsh: '_flux-krea', fish: 'flux-krea.fish' } as const;
  const { stdout } = await execa(process.execPath, [BIN, 'completion', shell], { env, extendEnv: false });
  // zsh looks the function up by file name in $fpath, so the names matter.
  const script = join(scripts, files[shell]);
  await writeFile(script, `${stdout}\n`);
  return {
    dir, work, env,
    script,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Runs a shell script with the fixture's environment, from the work directory. */
export async function runShell(f: Fixture, shell: string, args: string[]): Promise<string> {
  const r = await execa(shell, args, { cwd: f.work, env: f.env, extendEnv: false, reject: false, timeout: 20_000 });
  if (r.exitCode !== 0) throw new Error(`${shell} exited ${r.exitCode}: ${r.stderr}`);
  return r.stdout;
}
