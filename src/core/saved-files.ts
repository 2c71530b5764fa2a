/**
 * What a job already has on disk, from the journal: `flux-krea result` run twice must not
 * download (and name `…-1_2.jpg`) what it saved the first time (issue 13 item 6).
 */
import { promises as fsp } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import type { SavedImage } from '../output/download.js';

/** The journal's files that are still there, in `dir`, as SavedImages (size from disk, format from the name). */
export async function filesStillThere(files: readonly string[] | undefined, dir: string): Promise<SavedImage[]> {
  const out: SavedImage[] = [];
  for (const f of files ?? []) {
    const path = resolve(f);
    if (dirname(path) !== resolve(dir)) continue;
    const st = await fsp.stat(path).catch(() => undefined);
    if (st?.isFile() && st.size > 0) out.push({ path, bytes: st.size, format: extname(path).slice(1) });
  }
  return out;
}

/** Whether `path` is image `stem` (`<stem>.<ext>`, or `<stem>_2.<ext>` when the name was taken). */
export function isImageOf(path: string, stem: string): boolean {
  const name = basename(path, extname(path));
  return name === stem || (name.startsWith(`${stem}_`) && /^\d+$/.test(name.slice(stem.length + 1)));
}
