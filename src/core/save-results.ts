/**
 * Saves a finished job's images: in parallel, each one atomically, with the journal updated.
 * One step of the job pipeline (job.ts).
 */
import { resolve } from 'node:path';
import { InterruptedError, ProtocolError, isFluxKreaError } from '../errors.js';
import type { JobResult } from '../api/client.js';
import type { SegmindClient } from '../api/client.js';
import { ensureDir, saveImage, type SavedImage } from '../output/download.js';
import { imageStem } from '../output/naming.js';
import type { Journal } from '../store/journal.js';
import type { ProgressEvents } from './events.js';

export interface SaveRequest {
  client: SegmindClient;
  result: JobResult;
  dir: string;
  /** Names: `<slug(prompt)>-<seed>-<n>`. */
  prompt: string;
  seed: number | string;
  /** The id to resume with (`flux-krea result`); absent for sync calls, which cannot be resumed. */
  requestId?: string;
  /** The journal entry to update; defaults to requestId. */
  journalId?: string;
  journal?: Journal;
  retries: number;
  signal?: AbortSignal;
  /** Absolute time (ms since epoch) by which the downloads must be done (--timeout). */
  deadline?: number;
  events?: ProgressEvents;
  /** File stem of image `index`, instead of `<slug(prompt)>-<seed>-<n>` (batch entries with a `name`). */
  stem?: (index: number) => string;
}

const PARALLEL_DOWNLOADS = 4;

export async function saveResults(r: SaveRequest): Promise<SavedImage[]> {
  if (r.result.images.length === 0) {
    throw new ProtocolError('The job completed but Segmind returned no image.', { requestId: r.requestId });
  }
  await ensureDir(r.dir, r.requestId);
  r.events?.downloading?.(r.result.images.length);
  const saved: (SavedImage | undefined)[] = new Array(r.result.images.length);
  const errors: unknown[] = [];
  let next = 0;
  const worker = async () => {
    while (next < r.result.images.length) {
      const i = next++;
      try {
        saved[i] = await saveImage(r.result.images[i]!, {
          dir: r.dir,
          stem: r.stem?.(i) ?? imageStem(r.prompt, r.seed, i),
          requestId: r.requestId,
          dispatcher: await r.client.http.dispatcher(),
          retries: r.retries,
          signal: r.signal,
          deadline: r.deadline,
          onRetry: r.events?.retry,
        });
      } catch (e) {
        errors.push(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_DOWNLOADS, r.result.images.length) }, worker));
  const files = saved.filter((s): s is SavedImage => s !== undefined);
  const journalId = r.journalId ?? r.requestId;
  if (journalId && r.journal) {
    await r.journal.record({
      id: journalId,
      state: errors.length ? 'partial' : 'saved',
      // Absolute, so that a later `result` finds them from any directory.
      files: files.map((f) => resolve(f.path)),
      ...(errors.length ? { error: (errors[0] as Error).message } : {}),
    });
  }
  if (errors.length) {
    const first = errors.find((e) => e instanceof InterruptedError) ?? errors[0];
    if (isFluxKreaError(first) && files.length) {
      throw first.with({
        message: `${first.message} (${files.length} of ${r.result.images.length} images were saved)`,
        savedFiles: files.map((f) => f.path),
      });
    }
    throw first;
  }
  return files;
}
