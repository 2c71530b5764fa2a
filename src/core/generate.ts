/**
 * One generation, start to finish: upload a local input image, submit (or the sync call),
 * journal the job before waiting, wait, save. Returns what the CLI prints.
 */
import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import type { JobResult, Metrics, SegmindClient } from '../api/client.js';
import { sniffImage } from '../api/extract.js';
import { DeadlineError, UsageError } from '../errors.js';
import type { Journal } from '../journal/journal.js';
import { ensureDir, type SavedImage } from '../output/download.js';
import type { ResolvedParams } from '../params/schema.js';
import type { ProgressEvents } from './events.js';
import { saveResults } from './save-results.js';
import { applyMetadata, type MetadataMode } from '../output/metadata.js';

export interface GenerateRequest {
  client: SegmindClient;
  params: ResolvedParams;
  localImage?: string;
  sync: boolean;
  outDir: string;
  intervalMs: number;
  deadline: number;
  retries: number;
  journal?: Journal;
  signal?: AbortSignal;
  events?: ProgressEvents;
  /** Provenance for the saved images (issue 4): none, a `<file>.json` sidecar, or embedded. */
  metadata?: MetadataMode;
}

export interface GenerateOutcome {
  requestId?: string;
  status: string;
  files: SavedImage[];
  seed: number;
  params: ResolvedParams;
  metrics: Metrics;
  warnings: string[];
}

/** The v1 call has no request id to resume, but --timeout still bounds it. */
async function runSyncWithin(g: GenerateRequest, params: ResolvedParams): Promise<JobResult> {
  const budgetMs = Math.max(1, g.deadline - Date.now());
  const deadline = AbortSignal.timeout(budgetMs);
  const signal = g.signal ? AbortSignal.any([g.signal, deadline]) : deadline;
  try {
    return await g.client.runSync(params, { signal });
  } catch (e) {
    if (deadline.aborted && !g.signal?.aborted) throw new DeadlineError(Math.round(budgetMs / 1000));
    throw e;
  }
}

export async function generate(g: GenerateRequest): Promise<GenerateOutcome> {
  const params = { ...g.params };
  // Fail on an unwritable directory before paying for a job.
  await ensureDir(g.outDir);
  if (g.localImage) {
    g.events?.uploading?.(g.localImage);
    const data = await readFile(g.localImage);
    const kind = sniffImage(data.subarray(0, 12));
    if (!kind) throw new UsageError(`--image: ${g.localImage} is not a PNG, JPEG, WebP or GIF file.`);
    params.image = await g.client.upload(data, kind.mime, { signal: g.signal });
  }

  let result: JobResult;
  let requestId: string | undefined;
  if (g.sync) {
    result = await runSyncWithin(g, params);
    requestId = result.requestId;
    await g.journal?.record({
      id: requestId ?? `sync-${randomUUID()}`, createdAt: new Date().toISOString(), state: 'submitted',
      mode: 'sync', prompt: params.prompt, params: { ...params }, outDir: g.outDir,
    });
  } else {
    const job = await g.client.submit(params, { signal: g.signal });
    requestId = job.requestId;
    await g.journal?.record({
      id: job.requestId, createdAt: new Date().toISOString(), state: 'submitted',
      mode: 'async', prompt: params.prompt, params: { ...params }, outDir: g.outDir,
    });
    g.events?.submitted?.(job.requestId);
    try {
      result = await g.client.wait(job, {
        intervalMs: g.intervalMs, deadline: g.deadline, signal: g.signal,
        onStatus: (s) => g.events?.status?.(s, job.requestId),
      });
    } catch (e) {
      if ((e as { kind?: string }).kind === 'job-failed') {
        await g.journal?.record({ id: job.requestId, state: 'failed', error: (e as Error).message });
      }
      throw e;
    }
  }
  const files = await saveResults({
    client: g.client, result, dir: g.outDir, prompt: params.prompt, seed: params.seed,
    requestId, journal: g.journal, retries: g.retries, signal: g.signal, events: g.events,
  });
  await applyMetadata(files, g.metadata, { params, requestId }, g.events?.warning);
  const warnings: string[] = [];
  if (files.length < params.num_outputs) {
    warnings.push(`Asked for ${params.num_outputs} images, got ${files.length}: the safety checker may have dropped some.`);
  }
  return { requestId, status: result.status, files, seed: params.seed, params, metrics: result.metrics, warnings };
}
