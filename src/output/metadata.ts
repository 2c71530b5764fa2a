/**
 * Provenance for saved images (`--metadata`): a `<file>.json` sidecar, or the same record
 * embedded in the image itself (see embed.ts), so that an image found on a disk months later
 * still says how it was made: prompt, every parameter, seed, model, request id and time.
 * Files are rewritten atomically (temp file + rename), so a crash never leaves half an image.
 */
import { createHash } from 'node:crypto';
import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { MODEL } from '../api/endpoints.js';
import { VERSION } from '../version.js';
import { embedProvenance, EmbedError, extractProvenance } from './embed.js';
import { tempPath, type SavedImage } from './download.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { isPlainFile } from '../util/plain-file.js';

export type MetadataMode = 'none' | 'sidecar' | 'embed';

export interface Provenance {
  generator: string;
  model: string;
  request_id: string | null;
  created_at: string;
  prompt: string;
  seed: number | null;
  /** Every parameter as sent, prompt and seed included. */
  params: Record<string, unknown>;
  /** 1-based position of this image in its job's output. */
  image: number;
  /** What the job cost in credits, when Segmind said (metrics.cost); for the whole job, not this image. */
  cost?: number;
}

export interface ProvenanceInput {
  params: Record<string, unknown>;
  requestId?: string;
  /** The job's cost in credits, when known. */
  cost?: number;
  /** Injectable for tests; defaults to now. */
  createdAt?: Date;
}

export function provenanceFor(input: ProvenanceInput, index: number): Provenance {
  const seed = input.params.seed;
  return {
    generator: `flux-krea ${VERSION}`,
    model: MODEL,
    request_id: input.requestId ?? null,
    created_at: (input.createdAt ?? new Date()).toISOString(),
    prompt: String(input.params.prompt ?? ''),
    seed: typeof seed === 'number' ? seed : null,
    params: { ...input.params },
    image: index + 1,
    ...(typeof input.cost === 'number' && Number.isFinite(input.cost) ? { cost: input.cost } : {}),
  };
}

export function sidecarPath(imagePath: string): string {
  return `${imagePath}.json`;
}

/** Images and sidecars are the user's files: the umask decides their mode, as for any new file. */
function writeAtomic(path: string, data: Buffer | string): Promise<void> {
  return writeFileAtomic(path, data, { mode: 0o666 });
}

/** A sidecar name already taken by a file this run did not write: it is kept as it is. */
export class SidecarTakenError extends Error {}

/**
 * Writes `<image>.json` only where no file is (issue 12 item 15): the record is written to a
 * temp file and hard-linked into place, which fails on any existing name, a symlink included,
 * so another file is never overwritten or written through. (A batch removes its own previous
 * sidecar before it regenerates an image: batch/replace.ts.)
 */
export async function writeSidecar(imagePath: string, p: Provenance): Promise<void> {
  const path = sidecarPath(imagePath);
  const tmp = tempPath(dirname(path));
  try {
    await writeFile(tmp, `${JSON.stringify(p, null, 2)}\n`, { flag: 'wx', mode: 0o644 });
    await link(tmp, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new SidecarTakenError(`${path} already exists`);
    throw e;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/** Embeds the record in the image file; resolves with the file's new size and sha256. */
export async function embedInFile(imagePath: string, p: Provenance): Promise<{ bytes: number; sha256: string }> {
  const bytes = await readFile(imagePath);
  const out = embedProvenance(bytes, { json: JSON.stringify(p), creator: p.generator, description: p.prompt });
  await writeAtomic(imagePath, out);
  return { bytes: out.length, sha256: createHash('sha256').update(out).digest('hex') };
}

/**
 * Applies `mode` to freshly saved images and updates their `bytes` and `sha256` in place. An image that
 * cannot carry embedded metadata gets a sidecar instead, with a warning: the record is never
 * silently lost.
 */
export async function applyMetadata(
  files: SavedImage[],
  mode: MetadataMode | undefined,
  input: ProvenanceInput,
  warn?: (m: string) => void,
): Promise<void> {
  if (!mode || mode === 'none') return;
  const createdAt = input.createdAt ?? new Date();
  for (const [i, f] of files.entries()) {
    const p = provenanceFor({ ...input, createdAt }, i);
    if (mode === 'embed') {
      try {
        Object.assign(f, await embedInFile(f.path, p));
        continue;
      } catch (e) {
        if (!(e instanceof EmbedError)) throw e;
        warn?.(`Cannot embed metadata in ${f.path} (${e.message}); wrote ${sidecarPath(f.path)} instead.`);
      }
    }
    try {
      await writeSidecar(f.path, p);
    } catch (e) {
      if (!(e instanceof SidecarTakenError) || !warn) throw e;
      warn(`Not writing the provenance of ${f.path}: ${e.message} and is not from this run (move it away to get one).`);
    }
  }
}

/** The provenance embedded in an image file, or undefined. */
export async function readEmbedded(imagePath: string): Promise<Provenance | undefined> {
  const json = extractProvenance(await readFile(imagePath));
  return json === undefined ? undefined : (JSON.parse(json) as Provenance);
}

export async function readSidecar(imagePath: string): Promise<Provenance | undefined> {
  // Only a plain file is read: a symlink to /dev/zero or a FIFO would never end (issue 12 item 6).
  if (!(await isPlainFile(sidecarPath(imagePath)))) return undefined;
  try {
    return JSON.parse(await readFile(sidecarPath(imagePath), 'utf8')) as Provenance;
  } catch {
    return undefined;
  }
}
