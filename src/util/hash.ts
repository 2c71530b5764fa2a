/**
 * Stable hashing for the lock file: a canonical JSON (sorted keys at every depth) so that the
 * same entry always hashes the same, whatever order its fields were written in, and a
 * streaming file digest so that checking 100 large images keeps memory flat.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { isPlainFile } from './plain-file.js';

/** JSON with object keys sorted at every depth; `undefined` members are dropped, as JSON does. */
export function stableStringify(value: unknown, indent?: number): string {
  return JSON.stringify(sortKeys(value), null, indent);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .filter((k) => o[k] !== undefined)
        .map((k) => [k, sortKeys(o[k])]),
    );
  }
  return value;
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Size and sha256 of a file, or undefined when it cannot be read or is not a plain file: the
 * paths come from a lock, and /dev/zero or a FIFO there must not hang a run (issue 12 item 6).
 */
export async function fileDigest(path: string): Promise<{ bytes: number; sha256: string } | undefined> {
  if (!(await isPlainFile(path))) return undefined;
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      hash.update(chunk);
    }
  } catch {
    return undefined;
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** A positive int32 from a string: the seed of entries that give none (0 means "random" upstream). */
export function derivedSeed(content: string): number {
  const h = createHash('sha256').update(`flux-krea seed\0${content}`).digest();
  return (h.readUInt32BE(0) % (2 ** 31 - 1)) + 1;
}
