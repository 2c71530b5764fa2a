/**
 * Stands in for node:child_process inside the CLI bundle (package.json build:cli, esbuild
 * --alias). commander requires node:child_process as it loads, for stand-alone executable
 * subcommands that flux-krea does not use, and loading it (with net, dgram and the stream
 * stack) costs about 5 ms of every start (issue 6). The real module loads on the first call.
 * Only what the bundled code uses is here: an import of anything else fails the build.
 */
import { createRequire } from 'node:module';
import type * as ChildProcess from 'node:child_process';

let real: typeof ChildProcess | undefined;

function load(): typeof ChildProcess {
  // A builtin resolves the same from any base path; the CLI bundle is CommonJS, where
  // import.meta.url is empty, so the base is Node's own path.
  real ??= createRequire(process.execPath)('node:child_process') as typeof ChildProcess;
  return real;
}

export const spawn = ((...args: unknown[]) => (load().spawn as (...a: unknown[]) => ChildProcess.ChildProcess)(...args)) as typeof ChildProcess.spawn;
