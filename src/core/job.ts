/**
 * The one job pipeline. A single generation, `result` (a job fetched by its request id) and
 * every batch entry run through `runJob`: upload → submit → journal → wait → save → metadata.
 * What differs is given as hooks: a batch submits through its rate gate, records the request
 * id in its lock the moment the job exists, replaces the files of a previous run, and keeps
 * failures as values; a single run does none of that.
 *
 * The order is the promise about money: nothing that can fail stands between a billed submit
 * and the journal line that lets `flux-krea result` fetch it (issue 12). Hooks that run after
 * the job exists cannot lose it either: a failing `created` hook (a lock that cannot be
 * written) is reported once the job is finished and saved, not instead of finishing it.
 */
import { readFile, stat } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { Job, JobResult, JobStatus, Metrics, SegmindClient, WaitOptions } from '../api/client.js';
import { sniffImage } from '../api/extract.js';
import { expectedRunTime } from '../api/poll-schedule.js';
import { DeadlineError, UsageError, isFluxKreaError } from '../errors.js';
import { ensureDir, type SavedImage } from '../output/download.js';
import { applyMetadata, type MetadataMode } from '../output/metadata.js';
import type { ResolvedParams } from '../params/schema.js';
import type { Journal } from '../store/journal.js';
import type { ProgressEvents } from './events.js';
import { saveResults } from './save-results.js';
import { imageStem } from '../output/naming.js';
import { MAX_INPUT_IMAGE_BYTES, megabytes } from './params.js';
import { JobSpend, type Budget } from './money/budget.js';

export interface JobHooks {
  /** Turns a local input image into a URL (a batch uploads each file once per run). */
  upload?(path: string): Promise<string>;
  /**
   * Submits the job (a batch goes through its shared rate gate). Default: one client.submit.
   * `admit` waits for the budget's leave (and throws BudgetError without it): call it right
   * before the first submit, in the order jobs should be admitted.
   */
  submit?(params: ResolvedParams, admit: (signal?: AbortSignal) => Promise<void>): Promise<Job>;
  /** The job exists and is journaled: a batch records its request id in the lock. */
  created?(requestId: string, sent: ResolvedParams): Promise<void>;
  /** The images are saved, before provenance is added: a batch moves them into the old files' places. */
  saved?(files: SavedImage[]): Promise<void>;
  /** The job ran and FAILED on the server (the journal already says so). */
  failed?(requestId: string, message: string): Promise<void>;
}

export interface JobSpec {
  client: SegmindClient;
  /** The request body; `image` is filled in from `localImage` when one is given. */
  params: ResolvedParams;
  localImage?: string;
  /** The blocking v1 call instead of submit + poll (cannot be resumed). */
  sync?: boolean;
  /** Fetch this existing (already paid) job instead of submitting: no upload, no submit. */
  requestId?: string;
  outDir: string;
  /** The directory to record in the journal when it differs from outDir (`-o -` stages in a temp dir). */
  journalOutDir?: string;
  journal?: Journal;
  /** A fixed poll cadence (an explicit --interval); without it polls adapt to recent run times. */
  intervalMs?: number;
  /** Absolute time (ms since epoch) after which waiting stops with DeadlineError. */
  deadline: number;
  retries: number;
  signal?: AbortSignal;
  metadata?: MetadataMode;
  /** File stem of image `index`; default `<slug(prompt)>-<seed>-<n>`. */
  stem?: (index: number) => string;
  /** The seed used in default file names (a resumed job of unknown seed uses part of its id). */
  nameSeed?: number | string;
  /**
   * The file image `index` already has on disk (a second `result`): it is kept, not downloaded
   * again; the outcome lists it with the new ones (issue 13 item 6).
   */
  alreadySaved?: (index: number) => SavedImage | undefined;
  /** The wait's schedule and status callback, for a batch that polls around the job time it has seen. */
  poll?: Pick<WaitOptions, 'pollDelay' | 'onStatus'>;
  events?: ProgressEvents;
  hooks?: JobHooks;
  /**
   * The run's spend gate (--max-cost, the balance): a new job is admitted before it is
   * submitted and settled with its reported cost. A job fetched by id was paid already.
   */
  budget?: Budget;
}

export interface JobOutcome {
  /** The id to resume with; absent for a sync call without one. */
  requestId?: string;
  status: JobStatus;
  files: SavedImage[];
  /** The body as sent (with the uploaded image's URL). */
  params: ResolvedParams;
  metrics: Metrics;
  warnings: string[];
}

export async function runJob(spec: JobSpec): Promise<JobOutcome> {
  const hooks = spec.hooks ?? {};
  // Fail on an unwritable directory before paying for a job.
  await ensureDir(spec.outDir, spec.requestId);
  const sent = { ...spec.params };
  if (spec.localImage && !spec.requestId) {
    spec.events?.uploading?.(spec.localImage);
    sent.image = await (hooks.upload
      ? hooks.upload(spec.localImage)
      : uploadLocalImage(spec.client, spec.localImage, {
          signal: spec.signal,
          deadline: spec.deadline,
        }));
  }

  let result: JobResult;
  let requestId = spec.requestId;
  let journalId: string | undefined = requestId;
  let later: unknown;
  const spend = spec.budget && !requestId ? new JobSpend(spec.budget, sent.num_outputs) : undefined;
  const admit = async (signal?: AbortSignal) => spend?.admit(signal ?? spec.signal);
  let created = false;
  try {
    if (spec.sync && !requestId) {
      await admit();
      // The one blocking call takes about 24 s: the spinner shows it is alive (issue 13 item 8).
      spec.events?.syncCall?.();
      result = await whileSubmitting(spec, () => runSyncWithin(spec, sent));
      created = true;
      requestId = result.requestId;
      journalId = requestId ?? `sync-${randomUUID()}`;
      await journalSubmitted(spec, journalId, 'sync', sent);
    } else {
      let job: Job;
      if (requestId) {
        job = spec.client.jobFor(requestId);
      } else {
        if (!hooks.submit) await admit();
        job = await (hooks.submit
          ? hooks.submit(sent, admit)
          : whileSubmitting(spec, () => spec.client.submit(sent, { signal: spec.signal, deadline: spec.deadline })));
        created = true;
        requestId = journalId = job.requestId;
        await journalSubmitted(spec, job.requestId, 'async', sent);
        later = await hooks.created?.(job.requestId, sent).then(
          () => undefined,
          (e: unknown) => e,
        );
      }
      spec.events?.submitted?.(job.requestId);
      result = await waitFor(spec, job, Boolean(spec.requestId));
    }
  } catch (e) {
    if (spend) {
      // Only a 200 is billed: a refused submit or a FAILED job cost nothing. A job that exists
      // (or may) and was not seen to fail is counted at its estimate.
      const kind = isFluxKreaError(e) ? e.kind : undefined;
      const billed = created
        ? kind !== 'job-failed'
        : isFluxKreaError(e) && (e.jobMayExist === true || e instanceof DeadlineError);
      if (billed) spend.settle({});
      else spend.release();
    }
    throw e;
  }
  // The price is learnt before the download: the next job need not wait for this one's files.
  const { rose } = spend?.settle(result.metrics) ?? {};
  if (rose) {
    spec.events?.warning?.(
      `Segmind charged ${rose.to} credits an image, more than the ${rose.from} estimated: jobs from now on are priced at ${rose.to}.`,
    );
  }
  const { cost, remainingCredits } = result.metrics;
  if (journalId && (cost !== undefined || remainingCredits !== undefined)) {
    await spec.journal?.record({ id: journalId, cost, remainingCredits });
  }

  const warnings: string[] = [];
  // More images than asked were never paid for as such, and a flood would fill the disk: keep
  // what was asked (a job fetched by id without its parameters keeps all), say so.
  const asked = typeof sent.num_outputs === 'number' ? sent.num_outputs : undefined;
  if (asked !== undefined && result.images.length > asked) {
    warnings.push(`Segmind sent ${result.images.length} images for ${asked} asked; kept the first ${asked}.`);
    result = { ...result, images: result.images.slice(0, asked) };
  }
  const kept = result.images.map((_, i) => spec.alreadySaved?.(i));
  const missing = result.images.map((_, i) => i).filter((i) => !kept[i]);
  const stemOf = (i: number) => spec.stem?.(i) ?? imageStem(sent.prompt, spec.nameSeed ?? sent.seed, i);
  // Every image already there: nothing to download (saveResults would call the answer empty).
  const fresh =
    missing.length === 0 && result.images.length > 0
      ? []
      : await saveResults({
          client: spec.client,
          result: { ...result, images: missing.map((i) => result.images[i]!) },
          dir: spec.outDir,
          prompt: sent.prompt,
          seed: spec.nameSeed ?? sent.seed,
          requestId,
          journalId,
          journal: spec.journal,
          retries: spec.retries,
          signal: spec.signal,
          // --timeout bounds the downloads too: a slow drip must not outlive it (issue 12 item 8).
          deadline: spec.deadline,
          events: spec.events,
          stem: (k) => stemOf(missing[k]!),
        });
  const files = [...kept.filter((f): f is SavedImage => f !== undefined), ...fresh];
  await hooks.saved?.(fresh);
  await applyMetadata(
    fresh,
    spec.metadata,
    { params: sent, requestId: requestId ?? result.requestId, cost: result.metrics.cost },
    spec.events?.warning,
  );
  if (later) throw later;
  // A resumed job of unknown parameters cannot say how many images were asked for.
  if (!spec.requestId && files.length < sent.num_outputs) {
    warnings.push(
      `Asked for ${sent.num_outputs} images, got ${files.length}: the safety checker may have dropped some.`,
    );
  }
  return {
    requestId: requestId ?? result.requestId,
    status: result.status,
    files,
    params: sent,
    metrics: result.metrics,
    warnings,
  };
}

async function journalSubmitted(
  spec: JobSpec,
  id: string,
  mode: 'sync' | 'async',
  sent: ResolvedParams,
): Promise<void> {
  await spec.journal?.record({
    id,
    createdAt: new Date().toISOString(),
    state: 'submitted',
    mode,
    prompt: sent.prompt,
    params: { ...sent },
    // Absolute: `flux-krea result` from another directory saves where this run would have (issue 13 item 6).
    outDir: resolve(spec.journalOutDir ?? spec.outDir),
  });
}

async function waitFor(spec: JobSpec, job: Job, resumed: boolean): Promise<JobResult> {
  // A job of ours polls around the run times recent jobs took; one fetched by id started at an
  // unknown time, so its wait says nothing about how long jobs run.
  const expectedMs =
    spec.intervalMs === undefined && !resumed
      ? expectedRunTime((await spec.journal?.recentRunTimes()) ?? [])
      : undefined;
  try {
    const result = await spec.client.wait(job, {
      intervalMs: spec.intervalMs,
      expectedMs,
      deadline: spec.deadline,
      signal: spec.signal,
      pollNow: resumed,
      pollDelay: spec.poll?.pollDelay,
      onStatus: (s, j) => {
        spec.poll?.onStatus?.(s, j);
        spec.events?.status?.(s, job.requestId);
      },
    });
    if (!resumed && result.runMs !== undefined) await spec.journal?.record({ id: job.requestId, runMs: result.runMs });
    return result;
  } catch (e) {
    const kind = isFluxKreaError(e) ? e.kind : undefined;
    if (kind === 'job-failed') {
      await spec.journal?.record({ id: job.requestId, state: 'failed', error: (e as Error).message });
      await spec.hooks?.failed?.(job.requestId, (e as Error).message);
    } else if (kind === 'not-found' && resumed) {
      await spec.journal?.record({ id: job.requestId, state: 'expired' });
    }
    throw e;
  }
}

/**
 * Ctrl-C during a submit lets it finish: its answer holds the id of a job billed either way.
 * Said once, so that the wait is not a mystery.
 */
async function whileSubmitting<T>(spec: JobSpec, submit: () => Promise<T>): Promise<T> {
  const onAbort = () =>
    spec.sync
      ? spec.events?.syncInterrupted?.()
      : spec.events?.warning?.(
          'Waiting for Segmind to answer the submit, so the paid job is not lost (Ctrl-C again to quit now).',
        );
  spec.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await submit();
  } finally {
    spec.signal?.removeEventListener('abort', onAbort);
  }
}

/** The v1 call has no request id to resume, but the deadline still bounds it. */
async function runSyncWithin(spec: JobSpec, params: ResolvedParams): Promise<JobResult> {
  const budgetMs = Math.max(1, spec.deadline - Date.now());
  const deadline = AbortSignal.timeout(budgetMs);
  const signal = spec.signal ? AbortSignal.any([spec.signal, deadline]) : deadline;
  try {
    // Ctrl-C waits for the answer (its images are paid for); the deadline cuts the call.
    return await spec.client.runSync(params, { signal, cutSignal: deadline, deadline: spec.deadline });
  } catch (e) {
    if (deadline.aborted && !spec.signal?.aborted)
      throw new DeadlineError(Math.round(budgetMs / 1000), undefined, true);
    throw e;
  }
}

/**
 * Reads a local input image, checks that it is an image, uploads it and returns its URL.
 * `label` starts the message of a file that cannot be used (a manifest line); without one the
 * error names the `image` parameter, and the CLI its flag.
 */
export async function uploadLocalImage(
  client: SegmindClient,
  path: string,
  o: { label?: string; signal?: AbortSignal; deadline?: number },
): Promise<string> {
  const start = o.label ? `${o.label}: ` : '';
  const facts = o.label ? {} : { option: 'image' };
  const cannotRead = (e: NodeJS.ErrnoException) => {
    throw new UsageError(`${start}cannot read ${path} (${e.code ?? e.message}).`, facts);
  };
  // Looked at before it is read: a huge file would otherwise fill memory, and its base64 text
  // overflow what a string can hold (issue 12 item 16).
  const info = await stat(path).catch(cannotRead);
  if (!info.isFile()) throw new UsageError(`${start}${path} is not a regular file.`, facts);
  if (info.size > MAX_INPUT_IMAGE_BYTES) {
    throw new UsageError(
      `${start}${path} is ${megabytes(info.size)}; an input image may be at most ${megabytes(MAX_INPUT_IMAGE_BYTES)}.`,
      {
        ...facts,
        suggestion: 'Downscale or recompress it (the model works at about 1 megapixel), or pass an http(s) URL.',
      },
    );
  }
  const data = await readFile(path).catch(cannotRead);
  const kind = sniffImage(data.subarray(0, 12));
  if (!kind) throw new UsageError(`${start}${path} is not a PNG, JPEG, WebP or GIF file.`, facts);
  return client.upload(data, kind.mime, { signal: o.signal, deadline: o.deadline });
}
