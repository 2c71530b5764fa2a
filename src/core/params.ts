/**
 * From resolved settings to the exact request body: cross-field checks, the random seed, and
 * the local input image (checked before anything is sent; uploaded by the caller).
 */
// fs.promises at call time: only a local --image needs it, and loading it costs a dry run ~1 ms.
import { promises as fsp } from 'node:fs';
import { sniffImage, SNIFF_BYTES } from '../api/extract.js';
import { UsageError } from '../errors.js';
import { MODEL_FIELDS } from '../params/fields.js';
import type { ResolvedParams } from '../params/schema.js';
import type { Resolved } from '../store/settings.js';

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

export interface BuiltRequest {
  params: ResolvedParams;
  /** A local file to upload first; params.image is set to its URL after upload. */
  localImage?: string;
  warnings: string[];
}

export async function buildRequest(resolved: Resolved, prompt: string): Promise<BuiltRequest> {
  const warnings: string[] = [];
  const params: Record<string, unknown> = {};
  for (const f of MODEL_FIELDS) {
    if (f.key === 'prompt') continue;
    if (resolved.values[f.key] !== undefined) params[f.key] = resolved.values[f.key];
  }
  const p = prompt.trim();
  if (!p)
    throw new UsageError('The prompt is empty.', {
      suggestion: 'Give it as the first argument, e.g. flux-krea "a red fox in snow", or pipe it on stdin.',
    });
  // -1 is Segmind's documented "random"; picking it here keeps the seed that is sent, journaled
  // and named in files a real one (issue 11), where -1 would be recorded as if it were the seed.
  if (params.seed === undefined || params.seed === RANDOM_SEED) {
    params.seed = randomSeed();
    resolved.origins.seed = { source: 'random', where: 'picked at random' };
  } else if (params.seed === 0) {
    warnings.push('--seed 0 asks the server to pick a random seed: this run cannot be reproduced.');
  }
  let localImage: string | undefined;
  if (typeof params.image === 'string') {
    if (!/^https?:\/\//i.test(params.image)) {
      localImage = params.image;
      const problem = await checkLocalImage(localImage);
      if (problem) {
        throw new UsageError(`--image: ${JSON.stringify(localImage)} ${problem}.`, {
          suggestion: 'Pass an image URL, or the path of a local PNG, JPEG or WebP file.',
        });
      }
    }
  } else if (params.prompt_strength !== undefined) {
    warnings.push('--prompt-strength only applies with --image; it is sent but the model ignores it.');
  }
  return { params: { prompt: p, ...params } as ResolvedParams, localImage, warnings };
}

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
