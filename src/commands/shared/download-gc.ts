/**
 * Memory flat in image size (issue 18): a young-generation collection after every 8 MB of
 * response bodies. Each 64 kB socket read is garbage once written to disk, and V8 frees such
 * buffers only when a collection runs, which it may not start until about 35 MB of them have
 * piled up; a young collection frees them for well under a millisecond of CPU. The CLI's own
 * choice, made from undici's public diagnostics channel, so the library leaves collection to V8,
 * and a run that downloads less than 8 MB never turns it on.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Bytes of response bodies between two collections. */
const EVERY_BYTES = 8e6;
const CHANNEL = 'undici:request:bodyChunkReceived';

type Gc = (options: { type: 'minor' }) => void;

/**
 * `gc` exists only in a context made after --expose-gc; this process's was made before. Should a
 * Node version not allow it, downloads go on as before, without the collections.
 */
export function exposeGc(): Gc | undefined {
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as Gc) : undefined;
  } catch {
    return undefined;
  }
}

/** Starts counting the bytes undici receives; returns what stops it (for tests). */
export function collectAsDownloadsGrow(makeGc: () => Gc | undefined = exposeGc): () => void {
  // undefined: not made yet (nothing big downloaded); null: not available.
  let gc: Gc | null | undefined;
  let received = 0;
  const onChunk = (message: unknown) => {
    received += (message as { chunk: Uint8Array }).chunk.byteLength;
    if (received < EVERY_BYTES) return;
    received = 0;
    if (gc === undefined) gc = makeGc() ?? null;
    gc?.({ type: 'minor' });
  };
  subscribe(CHANNEL, onChunk);
  return () => unsubscribe(CHANNEL, onChunk);
}
