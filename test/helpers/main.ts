/**
 * Runs the CLI in this process through main(argv, env, stdout, stderr), the way shadcn tests
 * its commands: no process start per call (about 150 ms of CPU each on this machine), same
 * sandbox as runCli (temp config dir, emulator env, cwd in the sandbox).
 *
 * Keep runCli (a real process) where the process is the point: signals, terminals, closed
 * pipes, stdin, start-up, the packed tarball, and anything read from the real process.env
 * (TMPDIR, PATH for a viewer) rather than from the env main() is given.
 */
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.js';
import { streamOutput } from '../../src/cli/output.js';
import type { Sandbox } from './cli.js';

export interface MainResult<T extends string | Buffer = string> {
  exitCode: number;
  stdout: T;
  stderr: string;
}

export interface MainOptions {
  /** Replaces the sandbox's env for this call (PATH and HOME are added as runCli adds them). */
  env?: Record<string, string>;
  /** 'buffer': stdout as bytes (images written with `-o -`). */
  encoding?: 'buffer';
  /** Working directory; the sandbox's by default. */
  cwd?: string;
}

/** A Writable that keeps what is written. */
function capture(): { stream: Writable; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      done();
    },
  });
  return { stream, bytes: () => Buffer.concat(chunks) };
}

/**
 * Runs `flux-krea ...args` in-process and resolves with its exit code and output. Never throws
 * on a non-zero exit: tests assert exitCode. Calls must not overlap (they change the cwd).
 */
export async function runMain(
  args: string[],
  sb: Pick<Sandbox, 'env' | 'dir'>,
  opts: MainOptions & { encoding: 'buffer' },
): Promise<MainResult<Buffer>>;
export async function runMain(
  args: string[],
  sb: Pick<Sandbox, 'env' | 'dir'>,
  opts?: MainOptions,
): Promise<MainResult>;
export async function runMain(
  args: string[],
  sb: Pick<Sandbox, 'env' | 'dir'>,
  opts: MainOptions = {},
): Promise<MainResult<string | Buffer>> {
  const out = capture();
  const err = capture();
  const env = { PATH: process.env.PATH ?? '', HOME: sb.dir, ...(opts.env ?? sb.env) };
  const cwd = process.cwd();
  process.chdir(opts.cwd ?? sb.dir);
  // Commands still report some exit codes through process.exitCode, which main() reads.
  process.exitCode = undefined;
  try {
    const exitCode = await main(
      ['node', 'flux-krea', ...args],
      env,
      streamOutput(out.stream),
      streamOutput(err.stream),
    );
    const stdout = out.bytes();
    // As execa does by default, so that assertions read the same for runCli and runMain.
    const strip = (s: string) => s.replace(/\r?\n$/, '');
    return {
      exitCode,
      stdout: opts.encoding === 'buffer' ? stdout : strip(stdout.toString('utf8')),
      stderr: strip(err.bytes().toString('utf8')),
    };
  } finally {
    process.exitCode = undefined;
    process.chdir(cwd);
  }
}
