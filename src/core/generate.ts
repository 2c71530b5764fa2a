/**
 * One generation, start to finish: upload a local input image, submit (or the sync call),
 * journal the job before waiting, wait, save. Returns what the CLI prints.
 */
import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { JobResult, Metrics, SegmindClient } from '../api/client.js';
import { expectedRunTime } from '../api/poll-schedule.js';
import { sniffImage } from '../api/extract.js';
import { DeadlineError, UsageError } from '../errors.js';
import type { Journal } from '../store/journal.js';
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
  /** A fixed poll cadence (an explicit --interval); without it polls adapt to recent run times. */
  intervalMs?: number;
  deadline: number;
  retries: number;
  journal?: Journal;
  signal?: AbortSignal;
  events?: ProgressEvents;
  /** Provenance for the saved images (issue 4): none, a `<file>.json` sidecar, or embedded. */
  metadata?: MetadataMode;
  /** The output directory to record in the journal when it differs from outDir (`-o -` stages in a temp dir). */
  journalOutDir?: string;
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
    // Ctrl-C waits for the answer (its images are paid for); --timeout cuts the call.
    return await g.client.runSync(params, { signal, cutSignal: deadline, deadline: g.deadline });
  } catch (e) {
    if (deadline.aborted && !g.signal?.aborted) {
      const err = new DeadlineError(Math.round(budgetMs / 1000));
      err.suggestion = 'A --sync call cannot be resumed and may still be billed; without --sync the job keeps a request id you can fetch later.';
      throw err;
    }
    throw e;
  }
}

export async function generate(g: GenerateRequest): Promise<GenerateOutcome> {
  const params = { ...g.params };
  // Fail on an unwritable directory before paying for a job.
  await ensureDir(g.outDir);
  if (g.localImage) {
    g.events?.uploading?.(g.localImage);
    const data = await readFile(g.localImage).catch((e: NodeJS.ErrnoException) => {
      throw new UsageError(`--image: cannot read ${g.localImage} (${e.code ?? e.message}).`);
    });
    const kind = sniffImage(data.subarray(0, 12));
    if (!kind) throw new UsageError(`--image: ${g.localImage} is not a PNG, JPEG, WebP or GIF file.`);
    params.image = await g.client.upload(data, kind.mime, { signal: g.signal, deadline: g.deadline });
  }

  let result: JobResult;
  let requestId: string | undefined;
  let journalId: string;
  // Absolute: `flux-krea result` from another directory saves where this run would have (issue 13 item 6).
  const outDir = resolve(g.journalOutDir ?? g.outDir);
  // Ctrl-C during a submit lets it finish: its answer holds the id of a job billed either way.
  const onAbort = () => g.events?.warning?.(g.sync
    ? 'Ctrl-C: a --sync call has no request id to resume, so flux-krea keeps waiting for the images being paid for (until --timeout). Ctrl-C again quits now: the job may still be billed, and its images are lost.'
    : 'Waiting for Segmind to answer the submit, so the paid job is not lost (Ctrl-C again to quit now).');
  g.signal?.addEventListener('abort', onAbort, { once: true });
  if (g.sync) {
    // The one blocking call takes about 24 s: the spinner shows it is alive (issue 13 item 8).
    g.events?.status?.('generating (--sync)', '');
    try {
      result = await runSyncWithin(g, params);
    } finally {
      g.signal?.removeEventListener('abort', onAbort);
    }
    journalId = result.requestId ?? `sync-${randomUUID()}`;
    await g.journal?.record({
      id: journalId, createdAt: new Date().toISOString(), state: 'submitted',
      mode: 'sync', prompt: params.prompt, params: { ...params }, outDir,
    });
  } else {
    let job;
    try {
      job = await g.client.submit(params, { signal: g.signal, deadline: g.deadline });
    } finally {
      g.signal?.removeEventListener('abort', onAbort);
    }
    requestId = journalId = job.requestId;
    await g.journal?.record({
      id: job.requestId, createdAt: new Date().toISOString(), state: 'submitted',
      mode: 'async', prompt: params.prompt, params: { ...params }, outDir,
    });
    g.events?.submitted?.(job.requestId);
    const expectedMs = g.intervalMs === undefined ? expectedRunTime(await g.journal?.recentRunTimes() ?? []) : undefined;
    try {
      result = await g.client.wait(job, {
        intervalMs: g.intervalMs, expectedMs, deadline: g.deadline, signal: g.signal,
        onStatus: (s) => g.events?.status?.(s, job.requestId),
      });
      if (result.runMs !== undefined) await g.journal?.record({ id: job.requestId, runMs: result.runMs });
    } catch (e) {
      if ((e as { kind?: string }).kind === 'job-failed') {
        await g.journal?.record({ id: job.requestId, state: 'failed', error: (e as Error).message });
      }
      throw e;
    }
  }
  const files = await saveResults({
    client: g.client, result, dir: g.outDir, prompt: params.prompt, seed: params.seed,
    requestId, journalId, journal: g.journal, retries: g.retries, signal: g.signal, events: g.events,
  });
  await applyMetadata(files, g.metadata, { params, requestId: requestId ?? result.requestId }, g.events?.warning);
  const warnings: string[] = [];
  if (files.length < params.num_outputs) {
    warnings.push(`Asked for ${params.num_outputs} images, got ${files.length}: the safety checker may have dropped some.`);
  }
  return { requestId: requestId ?? result.requestId, status: result.status, files, seed: params.seed, params, metrics: result.metrics, warnings };
}
