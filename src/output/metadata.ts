/**
 * Provenance for saved images (`--metadata`): a `<file>.json` sidecar, or the same record
 * embedded in the image itself (see embed.ts), so that an image found on a disk months later
 * still says how it was made: prompt, every parameter, seed, model, request id and time.
 * Files are rewritten atomically (temp file + rename), so a crash never leaves half an image.
 */
import { createHash } from 'node:crypto';
import { link, open, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { MODEL } from '../api/endpoints.js';
import { VERSION } from '../version.js';
import { embedParts, EmbedError, extractFrom, fileSource, partsLength } from './embed.js';
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
function writeAtomic(path: string, data: Buffer | string | AsyncIterable<Uint8Array>): Promise<void> {
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

/** Pieces in which an image's unchanged ranges are copied into its rewritten file. */
const COPY_BYTES = 64 * 1024;

/**
 * Embeds the record in the image file; resolves with the file's new size and sha256. The
 * file is read where its structure is, then rewritten by streaming (issue 18): memory stays
 * flat in the image's size.
 */
export async function embedInFile(imagePath: string, p: Provenance): Promise<{ bytes: number; sha256: string }> {
  const file = await open(imagePath, 'r');
  let closed = false;
  const close = async () => {
    if (!closed) await file.close();
    closed = true;
  };
  try {
    const { size } = await file.stat();
    const text = { json: JSON.stringify(p), creator: p.generator, description: p.prompt };
    const parts = embedParts(fileSource(file.fd, size), text);
    const hash = createHash('sha256');
    const bytes = partsLength(parts);
    // One buffer for every copied piece: the writer is done with a piece before it asks for
    // the next one (writeFileAtomic), and the hash takes it at once.
    const piece = Buffer.allocUnsafe(COPY_BYTES);
    async function* stream(): AsyncGenerator<Buffer> {
      for (const part of parts) {
        if (Buffer.isBuffer(part)) {
          hash.update(part);
          yield part;
          continue;
        }
        for (let at = part.start; at < part.end;) {
          const { bytesRead } = await file.read(piece, 0, Math.min(COPY_BYTES, part.end - at), at);
          if (bytesRead === 0) throw new EmbedError('the image file changed while it was rewritten');
          at += bytesRead;
          hash.update(piece.subarray(0, bytesRead));
          yield piece.subarray(0, bytesRead);
        }
      }
      // Closed before the new file is renamed over it (Windows refuses to replace an open file).
      await close();
    }
    await writeAtomic(imagePath, stream());
    return { bytes, sha256: hash.digest('hex') };
  } finally {
    await close();
  }
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

/** The provenance embedded in an image file, or undefined. Only the file's structure is read. */
export async function readEmbedded(imagePath: string): Promise<Provenance | undefined> {
  const json = await extractFromFile(imagePath);
  return json === undefined ? undefined : (JSON.parse(json) as Provenance);
}

/** The JSON embedded in an image file (see extractProvenance), reading only its structure. */
export async function extractFromFile(imagePath: string): Promise<string | undefined> {
  const file = await open(imagePath, 'r');
  try {
    return extractFrom(fileSource(file.fd, (await file.stat()).size));
  } finally {
    await file.close();
  }
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
