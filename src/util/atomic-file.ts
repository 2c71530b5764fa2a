/**
 * The one way flux-krea writes a file it owns (the lock file, the journal's compaction,
 * provenance sidecars and images rewritten with embedded metadata): a temp file in the same
 * directory, created exclusively and without following links, written, fsynced, then renamed
 * over the target. A reader sees the old file or the new one, never half of one, and a crash
 * at any moment leaves at worst a stray `.tmp` file beside it.
 *
 * A target that is a symbolic link is refused rather than replaced or written through: a
 * planted link must not redirect state (or an API key) into another file (issue 12, item 14).
 */
import { constants, promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';

// O_NOFOLLOW does not exist on Windows, where symbolic links need privileges to create.
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

export interface AtomicWriteOptions {
  /** Mode of a new file, before the umask: 0600 (state files) unless said otherwise. */
  mode?: number;
}

/** Fails like the OS would (code ELOOP) when `path` is a symbolic link, or when it is not a regular file. */
export async function assertNotLink(path: string): Promise<void> {
  let st;
  try {
    st = await fsp.lstat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (st.isSymbolicLink()) throw fsError('ELOOP', `${path} is a symbolic link; refusing to write through it`);
  if (!st.isFile()) throw fsError('EISDIR', `${path} is not a regular file`);
}

export async function writeFileAtomic(
  path: string,
  /** An async iterable is written chunk by chunk, each one before the next is asked for. */
  data: string | Uint8Array | AsyncIterable<Uint8Array>,
  o: AtomicWriteOptions = {},
): Promise<void> {
  await assertNotLink(path);
  const dir = dirname(path);
  // Unpredictable enough; O_EXCL is what guarantees no other file is touched. (Not node:crypto:
  // the journal loads this module, a dry run included, and crypto costs it ~7 ms, issue 6.)
  const tmp = join(dir, `.${basename(path)}.${process.pid}-${Math.random().toString(36).slice(2, 10)}.tmp`);
  const file = await fsp.open(
    tmp,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW,
    o.mode ?? 0o600,
  );
  try {
    try {
      await fsp.writeFile(file, data);
      // Durable before it replaces the old file: a power cut must not leave an empty lock.
      await file.sync();
    } finally {
      await file.close();
    }
    // rename replaces a link that appeared since the check; it never writes through one.
    await fsp.rename(tmp, path);
  } catch (e) {
    await fsp.unlink(tmp).catch(() => undefined);
    throw e;
  }
  await syncDir(dir);
}

/**
 * Appends to `path` (created with `mode`), never through a symbolic link. One write call per
 * record: appends of a few KB by several processes do not interleave in practice. Resolves
 * with false when, by the end of the write, `path` names another file than the one written
 * (it was replaced meanwhile, e.g. by a compaction): the caller then appends again.
 */
export async function appendNoFollow(path: string, data: string, o: AtomicWriteOptions = {}): Promise<boolean> {
  await assertNotLink(path);
  const file = await fsp.open(
    path,
    constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | NOFOLLOW,
    o.mode ?? 0o600,
  );
  try {
    await file.write(data);
    const [written, current] = await Promise.all([file.stat(), fsp.lstat(path).catch(() => undefined)]);
    return current !== undefined && current.ino === written.ino && current.dev === written.dev;
  } finally {
    await file.close();
  }
}

/** Makes the rename itself durable; best effort (some systems cannot open a directory). */
async function syncDir(dir: string): Promise<void> {
  const handle = await fsp.open(dir, constants.O_RDONLY).catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => undefined);
  await handle.close().catch(() => undefined);
}

function fsError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}
