/**
 * When a changed entry is regenerated, its new images take the place of the old ones, and the
 * old ones are moved aside into `previous/` in their directory, never deleted (issue 13 item
 * 7): a rerun with another flag must not destroy what the earlier run paid for. Only files
 * still exactly as we wrote them are moved (a file someone edited stays where it is), with our
 * sidecars. Saving never overwrites (naming.ts), so the new files first land under `_2` names,
 * then take the plain names the old ones held.
 */
import { link, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { SavedImage } from '../../output/download.js';
import { formatOf } from '../../output/embed.js';
import { sidecarPath } from '../../output/metadata.js';
import { claimName } from '../../output/naming.js';
import { makeDirs } from '../../util/make-dirs.js';
import { fileDigest } from '../../util/hash.js';
import type { LockFile, LockRecord } from '../../store/lock.js';

/** The folder, in each output directory, that earlier images of changed entries are moved to. */
export const PREVIOUS_DIR = 'previous';

/** Returns where the earlier images went. */
export async function replacePrevious(
  files: SavedImage[],
  previous: LockRecord | undefined,
  lock: LockFile,
  stem: (index: number) => string,
  outDir: string,
): Promise<string[]> {
  const fresh = new Set(files.map((f) => f.path));
  const moved: string[] = [];
  for (const old of previous?.files ?? []) {
    // Only a file of this entry's directory is ever moved, whatever the lock says (issue 12 item 6).
    const path = typeof old?.path === 'string' ? lock.confinedPath(old.path, outDir) : undefined;
    if (!path || fresh.has(path)) continue;
    const d = await fileDigest(path);
    if (!d || d.bytes !== old.bytes || d.sha256 !== old.sha256) continue;
    const head = await readFile(path)
      .then((b) => b.subarray(0, 16))
      .catch(() => Buffer.alloc(0));
    if (!formatOf(head)) continue;
    const aside = join(dirname(path), PREVIOUS_DIR);
    await makeDirs(aside);
    const ext = extname(path);
    // claimName links under a free name (never over an older one) and removes the original.
    const target = await claimName(path, aside, basename(path, ext), ext.slice(1));
    moved.push(target);
    await moveOurSidecar(path, target);
  }
  for (const [i, f] of files.entries()) {
    const wanted = join(dirname(f.path), `${stem(i)}${extname(f.path)}`);
    if (wanted === f.path) continue;
    try {
      // link fails when the name is taken: never overwrite what is not ours.
      await link(f.path, wanted);
      await unlink(f.path);
      f.path = wanted;
    } catch {
      // The plain name is still taken (a file we must keep): the `_2` name stays.
    }
  }
  return moved;
}

async function moveOurSidecar(imagePath: string, movedImage: string): Promise<void> {
  const path = sidecarPath(imagePath);
  try {
    const doc = JSON.parse(await readFile(path, 'utf8')) as { generator?: unknown };
    if (typeof doc.generator === 'string' && doc.generator.startsWith('flux-krea'))
      await rename(path, sidecarPath(movedImage));
  } catch {
    // No sidecar, or not ours.
  }
}

export function fileStem(
  name: string | undefined,
  count: number,
  fallback: (index: number) => string,
): (index: number) => string {
  if (name === undefined) return fallback;
  return (i) => (count === 1 ? name : `${name}-${i + 1}`);
}
