/**
 * `mkdir -p` without Node's `{ recursive: true }`, which on some paths never returns: under
 * /proc, mkdir answers ENOENT although the parent exists, and Node's recursive mkdir retries
 * forever on a libuv thread, at 90% CPU, through the first SIGTERM (issue 18: `-o /proc/x`).
 * Here each level is tried at most twice, so every path ends in a directory or an error.
 */
import { promises as fsp } from 'node:fs';
import { dirname, resolve } from 'node:path';

export async function makeDir(dir: string, mode?: number): Promise<void> {
  const abs = resolve(dir);
  try {
    await fsp.mkdir(abs, { mode });
    return;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return existingDir(abs, e);
    const parent = dirname(abs);
    if (code !== 'ENOENT' || parent === abs) throw e;
    await makeDir(parent, mode);
  }
  // The parent exists now: a second ENOENT is final (a /proc-like filesystem), not a retry.
  try {
    await fsp.mkdir(abs, { mode });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return existingDir(abs, e);
    throw e;
  }
}

/** EEXIST is success only for a directory (or a link to one), as `mkdir -p` has it. */
async function existingDir(abs: string, e: unknown): Promise<void> {
  const st = await fsp.stat(abs).catch(() => undefined);
  if (!st?.isDirectory())
    throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${abs}'`), { code: 'ENOTDIR', cause: e });
}
