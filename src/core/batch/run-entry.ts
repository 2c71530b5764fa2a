/**
 * One entry through the job pipeline (../job.ts): fetch a paid-for job by its request id, or
 * submit through the shared gate; the hooks record the request id in the lock the moment the
 * job exists, put the new files in the place of the old ones, and record a FAILED job; then the
 * files go in the lock. Failures are returned as values so that one entry never stops the others.
 */
import type { SegmindClient } from '../../api/client.js';
import type { RetryInfo } from '../../api/http.js';
import { runJob, uploadLocalImage, type JobHooks, type JobOutcome, type JobSpec } from '../job.js';
import { BudgetError, isFluxKreaError, type BudgetLimit, type ErrorKind } from '../../errors.js';
import type { Budget } from '../money/budget.js';
import type { Journal } from '../../store/journal.js';
import type { MetadataMode } from '../../output/metadata.js';
import { imageStem } from '../../output/naming.js';
import type { Sleep } from '../../util/sleep.js';
import type { LockedFile, LockFile } from '../../store/lock.js';
import type { PlannedEntry } from './plan.js';
import { batchPollDelay, type JobTimeEstimate } from './poll-schedule.js';
import type { SubmitGate } from './rate-limiter.js';
import { SubmitsStopped, submitThroughGate, type SubmitTurns, type Turn } from './submit-gate.js';
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
  /** What the job cost (credits), as Segmind reported it; for a resumed or skipped entry, paid by an earlier run. */
  cost?: number;
  /** The balance after the job, as Segmind reported it. */
  remainingCredits?: number;
  /** Not run because this limit would have been broken (with error kind `credits`). */
  budgetLimit?: BudgetLimit;
  /** `jobMayExist`: the submit reached Segmind and no answer came: a job may exist, billed, with no id to fetch it by. */
  error?: { kind: ErrorKind; message: string; jobMayExist?: boolean };
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
  /** Keeps first submits in manifest order (set by the runner). */
  turns?: SubmitTurns;
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
  /** The run's spend gate (--max-cost, the balance); new submits only. */
  budget?: Budget;
}

/** `releaseSlot` is called once the job is finished on the server: the pool may then submit the next one. */
export async function runEntry(
  plan: PlannedEntry,
  batch: EntryRunContext,
  releaseSlot: () => void = () => undefined,
): Promise<EntryResult> {
  // The entry's own signal, aborted with the batch's (issue 18): each wait of an entry (a retry,
  // a poll, a download) listens for Ctrl-C while it lasts, and sixteen entries retrying at once
  // on the batch's one signal made Node warn of a listener leak (MaxListenersExceededWarning,
  // past ten). A dependent signal adds no listener to its source.
  const c: EntryRunContext = { ...batch, signal: AbortSignal.any([batch.signal]) };
  const { entry } = plan;
  const base = { key: entry.key, line: entry.line, seed: entry.params.seed };
  let requestId: string | undefined;
  // Taken at once, in manifest order (the pool starts entries in that order).
  const turn = c.turns?.take();
  // Where the previous run's images of a changed entry were moved (replace.ts).
  const moved: string[] = [];
  try {
    let outcome: JobOutcome | undefined;
    let resumed = false;
    if (plan.action === 'resume' && plan.previous?.request_id) {
      // A job fetched by id submits nothing (unless it expired): the next entry need not wait for it.
      turn?.done();
      requestId = plan.previous.request_id;
      c.events.resumed?.(entry.key, requestId);
      outcome = await runJob(jobSpec(plan, c, releaseSlot, moved, requestId)).catch((e: unknown) => {
        if (isFluxKreaError(e) && e.kind === 'not-found') return undefined;
        throw e;
      });
      if (outcome) resumed = true;
      else c.events.warning?.(`${entry.key}: job ${requestId} has expired on the server; submitting it again.`);
    }
    if (!outcome) {
      requestId = undefined;
      outcome = await runJob({
        ...jobSpec(plan, c, releaseSlot, moved),
        localImage: entry.localImage,
        hooks: {
          ...entryHooks(plan, c, moved, turn),
          created: async (id) => {
            requestId = id;
            c.events.submitted?.(entry.key, id);
            // From now on a rerun fetches this job instead of paying again.
            await c.lock.set(entry.key, {
              hash: plan.hash,
              state: 'submitted',
              request_id: id,
              params: entry.params,
              files: plan.previous?.files ?? [],
            });
          },
        },
      });
    }
    // Sizes and sha256 as hashed while downloading (and embedding): the images are not read back.
    const files = (
      await Promise.all(
        outcome.files.map((f) =>
          c.lock.describeFile(f.path, f.sha256 ? { bytes: f.bytes, sha256: f.sha256 } : undefined),
        ),
      )
    ).filter((f): f is LockedFile => f !== undefined);
    const { cost, remainingCredits } = outcome.metrics;
    await c.lock.set(entry.key, {
      hash: plan.hash,
      state: 'done',
      request_id: requestId,
      params: entry.params,
      files,
      ...(cost !== undefined ? { cost } : {}),
    });
    for (const w of outcome.warnings) c.events.warning?.(`${entry.key}: ${w}`);
    return {
      ...base,
      status: 'done',
      requestId,
      files,
      resumed,
      cost,
      remainingCredits,
      ...(moved.length ? { movedAside: moved } : {}),
    };
  } catch (e) {
    if (e instanceof SubmitsStopped)
      return { ...base, status: 'not-run', requestId: plan.previous?.request_id, files: [] };
    // Nothing was paid for this entry: it is left for a run with more budget or balance.
    if (e instanceof BudgetError)
      return {
        ...base,
        status: 'not-run',
        requestId: plan.previous?.request_id,
        files: [],
        error: { kind: e.kind, message: e.message },
        budgetLimit: e.limit,
      };
    const kind: ErrorKind = isFluxKreaError(e) ? e.kind : 'internal';
    const mayExist = isFluxKreaError(e) && e.jobMayExist === true && !requestId;
    const message = `${(e as Error)?.message ?? String(e)}${mayExist ? ' The job may have been created (and billed) even so.' : ''}`;
    // Anything but FAILED leaves the lock as it was: a submitted job stays `submitted` and is resumed.
    return {
      ...base,
      status: kind === 'interrupted' ? 'interrupted' : 'failed',
      requestId,
      files: [],
      error: { kind, message, ...(mayExist ? { jobMayExist: true } : {}) },
    };
  } finally {
    turn?.done();
    releaseSlot();
  }
}

/** What every job of this entry shares, fetched by id (`requestId`) or newly submitted. */
function jobSpec(
  plan: PlannedEntry,
  c: EntryRunContext,
  releaseSlot: () => void,
  moved: string[],
  requestId?: string,
): JobSpec {
  const { entry } = plan;
  const since = Date.now();
  let running = 0;
  const resumed = requestId !== undefined;
  return {
    client: c.client,
    params: entry.params,
    requestId,
    outDir: plan.outDir,
    journal: c.journal,
    intervalMs: c.intervalMs,
    deadline: since + c.timeoutMs,
    retries: c.retries,
    signal: c.signal,
    metadata: c.metadata,
    budget: c.budget,
    stem: fileStem(entry.name, entry.params.num_outputs, (i) => imageStem(entry.params.prompt, entry.params.seed, i)),
    poll: {
      // A resumed job started long ago: its age is unknown, so the usual schedule.
      pollDelay: resumed
        ? undefined
        : (n) => {
            // Asked for poll n: poll n - 1 found the job still running.
            if (n > 0) running = Date.now() - since;
            return batchPollDelay(n, Date.now() - since, c.intervalMs, c.jobTime.expected());
          },
      onStatus: (s) => {
        if (s !== 'COMPLETED') return;
        // With a budget (the balance, learnt from results if not before), the slot waits for
        // the result, whose cost and balance the next admission needs: it is given back when
        // the download starts, one request later. Without one the next job goes at once.
        if (!c.budget) releaseSlot();
        if (!resumed) c.jobTime.record(running, Date.now() - since);
      },
    },
    events: {
      status: (s) => c.events.status?.(entry.key, s),
      // The job is over on the server even if no COMPLETED status was seen (a resumed job).
      downloading: () => releaseSlot(),
      retry: c.events.retry,
      warning: c.events.warning,
    },
    hooks: entryHooks(plan, c, moved),
  };
}

function entryHooks(plan: PlannedEntry, c: EntryRunContext, moved: string[], turn?: Turn): JobHooks {
  const { entry } = plan;
  const stem = fileStem(entry.name, entry.params.num_outputs, (i) =>
    imageStem(entry.params.prompt, entry.params.seed, i),
  );
  return {
    upload: (path) => uploadOnce(path, plan, c),
    submit: (params, admit) =>
      submitThroughGate(params, {
        admit,
        gate: c.gate,
        submitClient: c.submitClient,
        retries: c.retries,
        signal: c.signal,
        stopSubmits: c.stopSubmits,
        turn,
        sleep: c.sleep,
        onRateLimited: c.events.rateLimited,
        onRetry: c.events.retry,
      }),
    saved: async (files) => {
      moved.push(...(await replacePrevious(files, plan.previous, c.lock, stem, plan.outDir)));
    },
    failed: (requestId, message) =>
      c.lock.set(entry.key, {
        hash: plan.hash,
        state: 'failed',
        request_id: requestId,
        params: entry.params,
        files: plan.previous?.files ?? [],
        error: message,
      }),
  };
}

/** Local input images are uploaded once per run, however many entries use them. */
function uploadOnce(path: string, plan: PlannedEntry, c: EntryRunContext): Promise<string> {
  let url = c.uploads.get(path);
  if (!url) {
    url = uploadLocalImage(c.client, path, { label: `line ${plan.entry.line}: image`, signal: c.signal });
    c.uploads.set(path, url);
  }
  return url;
}
