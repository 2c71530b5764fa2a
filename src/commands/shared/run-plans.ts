/**
 * Planned entries through the batch engine, for `batch` and for sweeps alike: the clients, the
 * shared submit gate (--rpm, a 429 pauses every submit), the pool (--concurrency), the lock
 * proven writable before anything is paid for, the progress reporter, and the lock folded at
 * the end. What the caller presents (paths, the JSON report, the summary) stays with it.
 */
import type { LockFile } from '../../store/lock.js';
import type { PlannedEntry } from '../../core/batch/plan.js';
import type { EntryResult } from '../../core/batch/run-entry.js';
import { SubmitGate } from '../../core/batch/rate-limiter.js';
import { JobTimeEstimate } from '../../core/batch/poll-schedule.js';
import { runPlanned } from '../../core/batch/runner.js';
import type { MetadataMode } from '../../output/metadata.js';
import { BatchReporter } from './batch-reporter.js';
import { makeClient, openJournal, type Context } from './context.js';

export interface EngineOptions {
  retries: number;
  request_timeout: number;
  rpm: number;
  concurrency: number;
  fail_fast: boolean;
  interval: number;
  timeout: number;
  metadata: MetadataMode;
}

export interface EngineRun {
  results: EntryResult[];
  reporter: BatchReporter;
  elapsedMs: number;
}

/** `mustSave`: the lock changed before the run (entries pruned), so it is written even if nothing runs. */
export async function runThroughEngine(
  ctx: Context,
  plans: PlannedEntry[],
  lock: LockFile,
  o: EngineOptions,
  mustSave = false,
): Promise<EngineRun> {
  const journal = openJournal(ctx);
  const client = await makeClient(ctx, { retries: o.retries, requestTimeoutSeconds: o.request_timeout });
  const submitClient = await makeClient(ctx, { retries: 0, requestTimeoutSeconds: o.request_timeout });
  // The lock must be writable before anything is paid for: otherwise every rerun would pay for
  // every entry again (issue 12, item 1). Unchanged entries write the same bytes.
  if (mustSave || plans.some((p) => p.action !== 'skip')) {
    try {
      await lock.save();
    } catch (e) {
      await Promise.all([client.close(), submitClient.close()]);
      throw e;
    }
  }
  const reporter = new BatchReporter(ctx.ui, plans.length);
  const started = Date.now();
  let results: EntryResult[];
  try {
    results = await runPlanned(
      plans,
      {
        client,
        submitClient,
        gate: new SubmitGate({ rpm: o.rpm, onWait: reporter.onGateWait }),
        lock,
        journal,
        retries: o.retries,
        intervalMs: o.interval * 1000,
        timeoutMs: o.timeout * 1000,
        metadata: o.metadata,
        signal: ctx.signal,
        events: reporter.events(),
        uploads: new Map(),
        jobTime: new JobTimeEstimate(),
      },
      { concurrency: o.concurrency, failFast: o.fail_fast },
    );
  } finally {
    await reporter.stop();
    await Promise.all([client.close(), submitClient.close()]);
  }
  // Fold the lock's append-only log into the lock, so that what is committed is complete.
  await lock.close();
  return { results, reporter, elapsedMs: Date.now() - started };
}
