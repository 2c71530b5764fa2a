/**
 * `flux-krea gallery` and `batch --gallery`: collect the images, make thumbnails, write one
 * HTML file. Imported only by those two (its JPEG decoder loads when a thumbnail is made).
 */
import { lstat, open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, relative, resolve } from 'node:path';
import { decodeImage } from '../preview/decode.js';
import { fitSize, flatten, resize } from '../preview/resize.js';
import { collect, type GalleryItem } from './collect.js';
import { againCommand, generateCommand } from './command.js';
import { hrefOf, renderGallery, type Card, type Group } from './html.js';
import { OutputError, UsageError } from '../../errors.js';
import { makeDirs } from '../../util/make-dirs.js';

export interface GalleryOptions {
  inputs: readonly string[];
  /** The HTML file to write. */
  out: string;
  title?: string;
  /** Longest side of a thumbnail, in pixels. */
  thumbSize?: number;
}

export interface GalleryResult {
  path: string;
  cards: number;
  groups: number;
  bytes: number;
  warnings: string[];
}

export const DEFAULT_THUMB = 360;

/** A JPEG thumbnail as a data: URI: a few kilobytes where a PNG of a photo would take ten times more. */
export async function thumbnail(
  bytes: Buffer,
  maxSide: number,
): Promise<{ uri: string; width: number; height: number }> {
  const pixels = await decodeImage(bytes);
  const size = fitSize(pixels.width, pixels.height, maxSide, maxSide);
  const small = flatten(resize(pixels, size.width, size.height), [255, 255, 255]);
  const jpeg = await import('jpeg-js');
  const encode = jpeg.encode ?? (jpeg as unknown as { default: typeof jpeg }).default.encode;
  const out = encode({ width: size.width, height: size.height, data: small.data }, 80);
  return { uri: `data:image/jpeg;base64,${out.data.toString('base64')}`, ...size };
}

const GENERATOR = '<meta name="generator" content="flux-krea">';

/**
 * Throws a UsageError unless `out` is free or a gallery page that flux-krea wrote. The page's
 * name is typed freely, and a slip (`-o m.jsonl.lock.json`, `--gallery m.jsonl`) must not
 * replace a manifest, a lock (the next batch would pay again) or an image. `flag` names the
 * option in the message.
 */
/** `option`: the key of the option that named `out` (`out`, or batch's `gallery`); the CLI prints its flag. */
export async function checkGalleryTarget(out: string, option = 'out'): Promise<void> {
  const info = await lstat(out).catch(() => undefined);
  if (!info) return;
  let head = '';
  if (info.isFile()) {
    const file = await open(out, 'r');
    try {
      const buf = Buffer.alloc(2048);
      const { bytesRead } = await file.read(buf, 0, buf.length, 0);
      head = buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await file.close();
    }
  }
  if (!head.startsWith('<!doctype html>') || !head.includes(GENERATOR)) {
    throw new UsageError(`${out} already exists and is not a gallery that flux-krea wrote; it is kept.`, {
      option,
      suggestion: 'Name a new file for the page, e.g. gallery.html.',
    });
  }
}

export async function writeGallery(o: GalleryOptions): Promise<GalleryResult> {
  await checkGalleryTarget(o.out);
  const { items, warnings } = await collect(o.inputs);
  const path = resolve(o.out);
  const pageDir = dirname(path);
  const groups = new Map<string, Card[]>();
  for (const item of items) {
    const card = await cardFor(item, pageDir, o.thumbSize ?? DEFAULT_THUMB, warnings);
    const list = groups.get(item.group) ?? [];
    list.push(card);
    groups.set(item.group, list);
  }
  const list: Group[] = [...groups].map(([title, cards]) => ({ title, cards }));
  const html = renderGallery(list, { title: o.title ?? 'flux-krea gallery' });
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await makeDirs(pageDir);
    await writeFile(tmp, html);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw new OutputError(
      `Cannot write the gallery ${o.out} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`,
      {
        suggestion: 'Check that the directory can be written, or choose another place with -o.',
      },
    );
  }
  return { path, cards: items.length, groups: list.length, bytes: Buffer.byteLength(html), warnings };
}

async function cardFor(item: GalleryItem, pageDir: string, thumbSize: number, warnings: string[]): Promise<Card> {
  const rel = item.file ? relative(pageDir, item.file).split('\\').join('/') : undefined;
  const command = item.recorded && rel ? againCommand(rel) : generateCommand(item.params);
  if (!item.file || !rel) return { item, command };
  const card: Card = { item, command, href: hrefOf(rel), name: basename(item.file) };
  try {
    card.thumb = await thumbnail(await readFile(item.file), thumbSize);
  } catch (e) {
    warnings.push(`${item.file}: no thumbnail (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
  return card;
}
