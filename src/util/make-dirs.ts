/**
 * `mkdir -p` without `{ recursive: true }`: on Node 20 that call never settles for a path under
 * /proc or /sys (`-o /proc/x`), spinning a thread-pool thread while the CLI waits forever and a
 * SIGTERM only aborts what is waiting on it (issue 13 item 12). One level at a time, each
 * failure is an ordinary error (ENOENT, EPERM, ENOTDIR) that names the directory.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** `mode`: of the directories made (e.g. 0o700 for the job journal's); existing ones keep theirs. */
export async function makeDirs(dir: string, mode?: number): Promise<void> {
  const missing: string[] = [];
  for (let d = resolve(dir); ; d = dirname(d)) {
    try {
      if ((await stat(d)).isDirectory()) break;
      throw Object.assign(new Error(`${d} is not a directory`), { code: 'ENOTDIR' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      missing.unshift(d);
      if (dirname(d) === d) break;
    }
  }
  for (const d of missing) {
    await mkdir(d, { mode }).catch((e: NodeJS.ErrnoException) => {
      // Made by a parallel run in the meantime: as good as ours.
      if (e.code !== 'EEXIST') throw e;
    });
  }
}
