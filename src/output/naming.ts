/**
 * Predictable file names: `<prompt-slug>-<seed>-<n>.<ext>`. Nothing from the server becomes a
 * path: names are built only from the prompt, the seed and an index.
 */
import { link, unlink, copyFile, constants } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The prompt as a file-name stem: letters (any script, NFC, lower case), marks and digits, runs
 * of anything else as one `-`, at most `max` characters and 150 UTF-8 bytes, cut at a word
 * boundary. `東京の夜景` stays itself (issue 13 item 11); no separator, dot, control or
 * direction-changing character can get through.
 */
export function slugify(text: string, max = 48): string {
  const slug = text
    .normalize('NFC')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, '-')
    .replace(/^[-\p{M}]+|-+$/gu, '');
  const chars = Array.from(slug);
  let cut = chars.slice(0, max).join('');
  while (Buffer.byteLength(cut) > 150) cut = Array.from(cut).slice(0, -1).join('');
  if (cut.length < slug.length) cut = cut.replace(/-[^-]*$/, '') || cut;
  return cut.replace(/-+$/, '') || 'image';
}

export function imageStem(prompt: string, seed: number | string, index: number): string {
  return `${slugify(prompt)}-${seed}-${index + 1}`;
}

/**
 * Moves a finished temp file to `<stem>.<ext>` in `dir`, or `<stem>_2.<ext>`, `_3` ... when
 * taken. `link` fails when the target exists, so two processes can never claim the same name
 * and an existing file is never overwritten.
 */
export async function claimName(tmpPath: string, dir: string, stem: string, ext: string): Promise<string> {
  for (let n = 1; n < 10_000; n++) {
    const target = join(dir, n === 1 ? `${stem}.${ext}` : `${stem}_${n}.${ext}`);
    try {
      await placeExclusive(tmpPath, target);
      await unlink(tmpPath).catch(() => undefined);
      return target;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  throw new Error(`no free file name for ${stem}.${ext} in ${dir}`);
}

async function placeExclusive(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // Some file systems (FAT, some network mounts) have no hard links: copy, still exclusive.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EXDEV') {
      await copyFile(from, to, constants.COPYFILE_EXCL);
      return;
    }
    throw e;
  }
}
