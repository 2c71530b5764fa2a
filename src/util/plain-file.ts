/**
 * Paths that come from files (a lock, the journal, a sidecar) are data, not orders: they may
 * have been written by someone else (a lock is committed and arrives in pull requests). Before
 * such a path is read or removed, it must name a plain file, never a symlink, a device such as
 * /dev/zero (a read that never ends), a FIFO (a read that never starts) or a socket; and, where
 * the path is relative to a directory, it must stay inside it (issue 12 item 6).
 */
import { lstat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

/** Whether `path` is a regular file itself (lstat: a symlink is not). */
export async function isPlainFile(path: string): Promise<boolean> {
  const st = await lstat(path).catch(() => undefined);
  return Boolean(st?.isFile());
}

/**
 * `recorded` (a `/`-separated path relative to `base`) as an absolute path, if it stays inside
 * `root`; undefined for an absolute path or one that climbs out with `..`.
 */
export function confinedPath(base: string, recorded: string, root: string = base): string | undefined {
  if (typeof recorded !== 'string' || recorded === '' || isAbsolute(recorded) || /^[a-zA-Z]:|^\\\\|\0/.test(recorded))
    return undefined;
  const abs = resolve(join(base, ...recorded.split('/')));
  const rel = relative(resolve(root), abs);
  return rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel) ? undefined : abs;
}
