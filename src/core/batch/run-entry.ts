/**
 * One entry, end to end: fetch a paid-for job by its request id, or submit through the shared
 * gate; record the request id in the lock the moment the job exists; wait; save; put the new
 * files in the place of the old ones; provenance; record the files. Failures are returned as
 * values so that one entry never stops the others.
 */
import { readFile } from 'node:fs/promises';
import type { Job, JobResult, SegmindClient } from '../../api/client.js';
import { ApiError, ConnectionError, RateLimitError } from '../../api/errors.js';
import { sniffImage } from '../../api/extract.js';
import type { RetryInfo } from '../../api/http.js';
import { isRetryable, retryDelay, type Outcome } from '../../api/retry-policy.js';
import { saveResults } from '../save-results.js';
import { InterruptedError, UsageError, isFluxKreaError, type ErrorKind } from '../../errors.js';
import type { Journal } from '../../store/journal.js';
import { ensureDir } from '../../output/download.js';
import { applyMetadata, type MetadataMode } from '../../output/metadata.js';
import { imageStem } from '../../output/naming.js';
import type { ResolvedParams } from '../../params/schema.js';
import { abortableSleep, type Sleep } from '../../util/sleep.js';
import type { LockedFile, LockFile } from '../../store/lock.js';
import type { PlannedEntry } from './plan.js';
import { batchPollDelay, type JobTimeEstimate } from './poll-schedule.js';
import type { SubmitGate } from './rate-limiter.js';
import { fileStem, replacePrevious } from './replace.js';

export type EntryStatus = 'done' | 'skipped' | 'failed' | 'interrupted' | 'not-run';

export interface EntryResult {
  key: string;
  line: number;
  status: EntryStatus;
  requestId?: string;
  seed: number;
  files: LockedFile[];
  /** Fetched by request id instead of submitting again. */
  resumed?: boolean;
  /** Where the earlier images of a changed entry were moved (replace.ts). */
  movedAside?: string[];
  error?: { kind: ErrorKind; message: string };
}

export interface BatchEvents {
  submitted?(key: string, requestId: string): void;
  resumed?(key: string, requestId: string): void;
  status?(key: string, status: string): void;
  finished?(result: EntryResult): void;
  /** A 429: every submit waits `ms`. */
  rateLimited?(ms: number): void;
  retry?(info: RetryInfo): void;
  warning?(message: string): void;
}

export interface EntryRunContext {
  /** For reads and uploads, with the usual retries. */
  client: SegmindClient;
  /** For submits, without retries of its own: the batch retries submits through the gate. */
  submitClient: SegmindClient;
  gate: SubmitGate;
  /**
   * Aborted by the runner after --fail-fast's first failure or an account-wide one: an entry
   * still waiting at the gate then never submits (it would be paid for after the stop).
   */
  stopSubmits?: AbortSignal;
  lock: LockFile;
  journal?: Journal;
  retries: number;
  intervalMs: number;
  timeoutMs: number;
  metadata: MetadataMode;
  signal: AbortSignal;
  events: BatchEvents;
  /** Local input images uploaded once per run, however many entries use them. */
  uploads: Map<string, Promise<string>>;
  /** How long this batch's jobs take, learnt as they finish, to poll each new one at the right moment. */
  jobTime: JobTimeEstimate;
  sleep?: Sleep;
}

/** The batch stopped submitting before this entry's turn: it is reported as not run. */
class SubmitsStopped extends Error {}

/** A 429 never fails an entry quickly: the batch waits it out this many times per entry. */
export const RATE_LIMIT_ROUNDS = 20;

/** `releaseSlot` is called once the job is finished on the server: the pool may then submit the next one. */
export async function runEntry(plan: PlannedEntry, c: EntryRunContext, releaseSlot: () => void = () => undefined): Promise<EntryResult> {
  const { entry } = plan;
  const base = { key: entry.key, line: entry.line, seed: entry.params.seed };
  let requestId: string | undefined;
  try {
    await ensureDir(plan.outDir);
    let result: JobResult | undefined;
    let sent: ResolvedParams = entry.params;
    let resumed = false;
    if (plan.action === 'resume' && plan.previous?.request_id) {
      requestId = plan.previous.request_id;
      c.events.resumed?.(entry.key, requestId);
      result = await waitFor(c.client.jobFor(requestId), plan, c, true, releaseSlot).catch((e: unknown) => {
        if (isFluxKreaError(e) && e.kind === 'not-found') return undefined;
        throw e;
      });
      if (result) resumed = true;
      else c.events.warning?.(`${entry.key}: job ${requestId} has expired on the server; submitting it again.`);
    }
    if (!result) {
      sent = await withUploadedImage(plan, c);
      const job = await submitThroughGate(sent, c);
      requestId = job.requestId;
      // Recorded before waiting: from now on a rerun fetches this job instead of paying again.
      await c.lock.set(entry.key, { hash: plan.hash, state: 'submitted', request_id: requestId, params: entry.params, files: plan.previous?.files ?? [] });
      await c.journal?.record({
        id: requestId, createdAt: new Date().toISOString(), state: 'submitted', mode: 'async',
        prompt: sent.prompt, params: { ...sent }, outDir: plan.outDir,
      });
      c.events.submitted?.(entry.key, requestId);
      result = await waitFor(job, plan, c, false, releaseSlot);
    }
    releaseSlot();
    const stem = fileStem(entry.name, entry.params.num_outputs, (i) => imageStem(entry.params.prompt, entry.params.seed, i));
    const saved = await saveResults({
      client: c.client, result, dir: plan.outDir, prompt: entry.params.prompt, seed: entry.params.seed,
      requestId, journal: c.journal, retries: c.retries, signal: c.signal, stem,
    });
    const movedAside = await replacePrevious(saved, plan.previous, c.lock, stem);
    await applyMetadata(saved, c.metadata, { params: sent, requestId }, c.events.warning);
    const files = (await Promise.all(saved.map((f) => c.lock.describeFile(f.path)))).filter((f): f is LockedFile => f !== undefined);
    await c.lock.set(entry.key, { hash: plan.hash, state: 'done', request_id: requestId, params: entry.params, files });
    if (files.length < entry.params.num_outputs) {
      c.events.warning?.(`${entry.key}: asked for ${entry.params.num_outputs} images, got ${files.length}: the safety checker may have dropped some.`);
    }
    return { ...base, status: 'done', requestId, files, resumed, ...(movedAside.length ? { movedAside } : {}) };
  } catch (e) {
    if (e instanceof SubmitsStopped) return { ...base, status: 'not-run', requestId: plan.previous?.request_id, files: [] };
    const kind: ErrorKind = isFluxKreaError(e) ? e.kind : 'internal';
    const message = (e as Error)?.message ?? String(e);
    if (kind === 'job-failed' && requestId) {
      await c.lock.set(entry.key, { hash: plan.hash, state: 'failed', request_id: requestId, params: entry.params, files: plan.previous?.files ?? [], error: message });
      await c.journal?.record({ id: requestId, state: 'failed', error: message });
    }
    // Anything else leaves the lock as it was: a submitted job stays `submitted` and is resumed.
    return { ...base, status: kind === 'interrupted' ? 'interrupted' : 'failed', requestId, files: [], error: { kind, message } };
  }
}

function waitFor(job: Job, plan: PlannedEntry, c: EntryRunContext, resumed: boolean, releaseSlot: () => void): Promise<JobResult> {
  const since = Date.now();
  let running = 0;
  return c.client.wait(job, {
    intervalMs: c.intervalMs, deadline: since + c.timeoutMs, signal: c.signal, pollNow: resumed,
    // A resumed job started long ago: its age is unknown, so the usual schedule.
    pollDelay: resumed ? undefined : (n) => {
      // Asked for poll n: poll n - 1 found the job still running.
      if (n > 0) running = Date.now() - since;
      return batchPollDelay(n, Date.now() - since, c.intervalMs, c.jobTime.expected());
    },
    onStatus: (s) => {
      if (s === 'COMPLETED') releaseSlot();
      if (!resumed && s === 'COMPLETED') c.jobTime.record(running, Date.now() - since);
      c.events.status?.(plan.entry.key, s);
    },
  });
}

async function withUploadedImage(plan: PlannedEntry, c: EntryRunContext): Promise<ResolvedParams> {
  const path = plan.entry.localImage;
  if (!path) return plan.entry.params;
  let url = c.uploads.get(path);
  if (!url) {
    url = (async () => {
      const data = await readFile(path);
      const kind = sniffImage(data.subarray(0, 12));
      if (!kind) throw new UsageError(`line ${plan.entry.line}: image ${path} is not a PNG, JPEG, WebP or GIF file.`);
      return c.client.upload(data, kind.mime, { signal: c.signal });
    })();
    c.uploads.set(path, url);
  }
  return { ...plan.entry.params, image: await url };
}

function outcomeOf(e: unknown): Outcome | undefined {
  if (e instanceof ApiError) return { type: 'status', status: e.status };
  if (e instanceof ConnectionError) return { type: 'network', sent: e.sent };
  return undefined;
}

/**
 * Submits through the gate. A 429 pauses every submit of the batch for the time the server
 * asked (Retry-After or x-rate-limit-reset-at-utc, through the shared retry policy); other
 * retryable failures back off this entry alone. A 429 surely created no job, so retrying it
 * never bills twice; the policy refuses retries that could.
 */
async function submitThroughGate(params: ResolvedParams, c: EntryRunContext): Promise<Job> {
  const sleep = c.sleep ?? abortableSleep;
  let failures = 0;
  let limited = 0;
  const waitSignal = c.stopSubmits ? AbortSignal.any([c.signal, c.stopSubmits]) : c.signal;
  for (;;) {
    try {
      await c.gate.acquire(waitSignal);
    } catch {
      if (c.stopSubmits?.aborted && !c.signal.aborted) throw new SubmitsStopped();
      throw new InterruptedError();
    }
    if (c.stopSubmits?.aborted) throw new SubmitsStopped();
    try {
      return await c.submitClient.submit(params, { signal: c.signal });
    } catch (e) {
      if (e instanceof RateLimitError && limited < RATE_LIMIT_ROUNDS) {
        const ms = retryDelay(limited++, e.headers);
        c.gate.pause(ms);
        c.events.rateLimited?.(ms);
        continue;
      }
      const outcome = outcomeOf(e);
      if (!outcome || e instanceof RateLimitError || failures >= c.retries || !isRetryable('submit', outcome)) throw e;
      const delayMs = retryDelay(failures++, (e as { headers?: Record<string, string> }).headers ?? {});
      c.events.retry?.({ method: 'POST', url: c.submitClient.endpoint(false), attempt: failures, delayMs, reason: (e as Error).message });
      try {
        await sleep(delayMs, c.signal);
      } catch {
        throw new InterruptedError();
      }
    }
  }
}
