/**
 * When a changed entry is regenerated, its new images take the place of the old ones: the old
 * files the lock recorded are removed (only when they are still exactly what we wrote: a file
 * someone edited is never deleted), then the new files move to the plain names the old ones
 * held. Saving never overwrites (naming.ts), so the new files first land under `_2` names.
 */
import { link, readFile, unlink } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import type { SavedImage } from '../../output/download.js';
import { formatOf } from '../../output/embed.js';
import { sidecarPath } from '../../output/metadata.js';
import { fileDigest } from '../../util/hash.js';
import type { LockFile, LockRecord } from '../../store/lock.js';

export async function replacePrevious(files: SavedImage[], previous: LockRecord | undefined, lock: LockFile, stem: (index: number) => string, outDir: string): Promise<void> {
  const fresh = new Set(files.map((f) => f.path));
  for (const old of previous?.files ?? []) {
    // Only a file of this entry's directory is ever removed, whatever the lock says (issue 12 item 6).
    const path = typeof old?.path === 'string' ? lock.confinedPath(old.path, outDir) : undefined;
    if (!path || fresh.has(path)) continue;
    const d = await fileDigest(path);
    if (!d || d.bytes !== old.bytes || d.sha256 !== old.sha256) continue;
    const head = await readFile(path).then((b) => b.subarray(0, 16)).catch(() => Buffer.alloc(0));
    if (!formatOf(head)) continue;
    await unlink(path).catch(() => undefined);
    await removeOurSidecar(path);
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
}

async function removeOurSidecar(imagePath: string): Promise<void> {
  const path = sidecarPath(imagePath);
  try {
    const doc = JSON.parse(await readFile(path, 'utf8')) as { generator?: unknown };
    if (typeof doc.generator === 'string' && doc.generator.startsWith('flux-krea')) await unlink(path);
  } catch {
    // No sidecar, or not ours.
  }
}

export function fileStem(name: string | undefined, count: number, fallback: (index: number) => string): (index: number) => string {
  if (name === undefined) return fallback;
  return (i) => (count === 1 ? name : `${name}-${i + 1}`);
}
