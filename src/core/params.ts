/**
 * Request facts shared by the command line and the library: the random seed, and whether a
 * local input image can be uploaded (checked before anything is sent).
 */
// fs.promises at call time: only a local --image needs it, and loading it costs a dry run ~1 ms.
import { promises as fsp } from 'node:fs';
import { sniffImage, SNIFF_BYTES } from '../api/extract.js';

/**
 * Seeds are drawn from the positive int32 range: 0 means "random" upstream and some backends
 * are 32-bit. A seed is no secret, so Math.random (seeded per process by Node) is enough, and
 * it spares every run, --dry-run included, the ~7 ms of loading node:crypto (issue 6).
 */
export function randomSeed(): number {
  return 1 + Math.floor(Math.random() * (2 ** 31 - 1));
}

/** The seed value Segmind documents as "pick one at random". */
export const RANDOM_SEED = -1;

/**
 * Why a local input image cannot be uploaded, or undefined when it can: checked before any
 * request, so a bad path or a text file never costs a job (batch checks every entry this way).
 */
/** The largest local input image uploaded; the model works at about one megapixel. */
export const MAX_INPUT_IMAGE_BYTES = 64 * 1024 * 1024;

export function megabytes(n: number): string {
  return `${Math.round(n / (1024 * 1024))} MB`;
}

export async function checkLocalImage(path: string): Promise<string | undefined> {
  const info = await fsp.stat(path).catch(() => undefined);
  if (!info?.isFile()) return 'is not an http(s) URL or a readable file';
  // A huge file would be read whole and its base64 text overflow a string (issue 12 item 16).
  if (info.size > MAX_INPUT_IMAGE_BYTES)
    return `is ${megabytes(info.size)}; an input image may be at most ${megabytes(MAX_INPUT_IMAGE_BYTES)}`;
  let head: Buffer;
  try {
    const fh = await fsp.open(path, 'r');
    try {
      head = Buffer.alloc(SNIFF_BYTES);
      const { bytesRead } = await fh.read(head, 0, SNIFF_BYTES, 0);
      head = head.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (e) {
    return `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
  return sniffImage(head) ? undefined : 'is not a PNG, JPEG, WebP or GIF file';
}
