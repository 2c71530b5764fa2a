/**
 * Reading back what made an image: the record embedded in the file (PNG iTXt, JPEG XMP or
 * COM, WebP XMP; see embed.ts) or its `<image>.json` sidecar (metadata.ts). Shared by the
 * gallery and by anything that re-runs or inspects an image.
 */
import { lstat, readFile } from 'node:fs/promises';
import { extractFromFile, sidecarPath, type Provenance } from './metadata.js';

export class ProvenanceError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

export interface FoundProvenance {
  provenance: Provenance;
  /** Where the record was: inside the image, or in `<image>.json`. */
  source: 'embedded' | 'sidecar';
  /** The image the record describes. */
  imagePath: string;
  /** The file the record was read from (the image itself, or the sidecar). */
  recordPath: string;
}

/** The image a path names: `hero.png.json` (a sidecar) names `hero.png`. */
export function imageOf(path: string): string {
  return path.endsWith('.json') ? path.slice(0, -'.json'.length) : path;
}

/**
 * The record for an image (or a sidecar's path): the embedded one first, as it travels with
 * the file, then the sidecar. Undefined when there is none; ProvenanceError when one exists
 * but cannot be read (damaged JSON, or a file that cannot be opened).
 */
export async function readProvenance(path: string): Promise<FoundProvenance | undefined> {
  const imagePath = imageOf(path);
  if (imagePath === path) {
    let json: string | undefined;
    try {
      // Only the file's structure is read, not its image data (issue 18).
      json = await extractFromFile(imagePath);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.syscall) throw new ProvenanceError(imagePath, `cannot read ${imagePath} (${err.code ?? err.message})`);
      json = undefined; // a file whose structure embed.ts cannot walk carries no record of ours
    }
    if (json !== undefined)
      return { provenance: parse(json, imagePath), source: 'embedded', imagePath, recordPath: imagePath };
  }
  const recordPath = sidecarPath(imagePath);
  // A sidecar is a plain file we wrote: a symlink or a device in its place is not read (issue 12 item 6).
  const kind = await lstat(recordPath).catch(() => undefined);
  if (!kind) return undefined;
  if (!kind.isFile()) throw new ProvenanceError(recordPath, `${recordPath} is not a plain file`);
  let text: string;
  try {
    text = await readFile(recordPath, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ProvenanceError(
      recordPath,
      `cannot read ${recordPath} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  return { provenance: parse(text, recordPath), source: 'sidecar', imagePath, recordPath };
}

function parse(text: string, where: string): Provenance {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProvenanceError(where, `the metadata in ${where} is not valid JSON`);
  }
  if (
    !value ||
    typeof value !== 'object' ||
    typeof (value as Provenance).params !== 'object' ||
    (value as Provenance).params === null
  ) {
    throw new ProvenanceError(where, `the metadata in ${where} has no "params"`);
  }
  const p = value as Provenance;
  return {
    ...p,
    prompt: typeof p.prompt === 'string' ? p.prompt : String(p.params.prompt ?? ''),
    seed: typeof p.seed === 'number' ? p.seed : typeof p.params.seed === 'number' ? p.params.seed : null,
    request_id: typeof p.request_id === 'string' ? p.request_id : null,
  };
}
