/**
 * Planned entries through the batch engine, for `batch` and for sweeps alike: the clients, the
 * run's budget (--max-cost and the balance), the shared submit gate (--rpm, a 429 pauses every
 * submit), the pool (--concurrency), the lock proven writable before anything is paid for, the
 * progress reporter, and the lock folded at the end. What the caller presents (paths, the JSON
 * report, the summary, a budget stop) stays with it.
 */
import type { LockFile } from '../../store/lock.js';
import type { PlannedEntry } from '../../core/batch/plan.js';
import type { EntryResult } from '../../core/batch/run-entry.js';
import { SubmitGate } from '../../core/batch/rate-limiter.js';
import { JobTimeEstimate } from '../../core/batch/poll-schedule.js';
import { runPlanned } from '../../core/batch/runner.js';
import type { MetadataMode } from '../../output/metadata.js';
import { BatchReporter } from './batch-reporter.js';
import { unpricedBudgetWarning } from './money.js';
import { makeClient, openJournal, type Context } from './context.js';
import type { SegmindClient } from '../../api/client.js';
import type { Journal } from '../../store/journal.js';
import { BudgetError, isFluxKreaError } from '../../errors.js';
import { Budget } from '../../core/money/budget.js';
import { readBalance } from '../../core/money/balance.js';
import { formatCredits } from '../../core/money/credits.js';
import { jobEstimate, journalPrice } from '../../core/money/price.js';
import { imagesToSubmit } from '../../core/batch/spend.js';

export interface EngineOptions {
  retries: number;
  request_timeout: number;
  rpm: number;
  concurrency: number;
  fail_fast: boolean;
  interval: number;
  timeout: number;
  metadata: MetadataMode;
  max_cost?: number;
}

export interface EngineRun {
  results: EntryResult[];
  reporter: BatchReporter;
  elapsedMs: number;
  budget: Budget;
}

/**
 * `mustSave`: the lock changed before the run (entries pruned), so it is written even if nothing
 * runs. `onFinished`: called as each entry finishes, after the progress line (batch --json
 * streams a line per entry).
 */
export async function runThroughEngine(
  ctx: Context,
  plans: PlannedEntry[],
  lock: LockFile,
  o: EngineOptions,
  mustSave = false,
  onFinished?: (r: EntryResult) => void,
): Promise<EngineRun> {
  const journal = openJournal(ctx);
  const client = await makeClient(ctx, { retries: o.retries, requestTimeoutSeconds: o.request_timeout });
  const submitClient = await makeClient(ctx, { retries: 0, requestTimeoutSeconds: o.request_timeout });
  let budget: Budget;
  try {
    budget = await batchBudget(ctx, client, journal, plans, o.max_cost);
    // The lock must be writable before anything is paid for: otherwise every rerun would pay
    // for every entry again (issue 12, item 1). Unchanged entries write the same bytes.
    if (mustSave || plans.some((p) => p.action !== 'skip')) await lock.save();
  } catch (e) {
    await Promise.all([client.close(), submitClient.close()]);
    throw e;
  }
  const unpriced = unpricedBudgetWarning(budget);
  if (unpriced && plans.some((p) => p.action === 'submit')) ctx.ui.warn(unpriced);
  const reporter = new BatchReporter(ctx.ui, plans.length);
  const events = reporter.events();
  const shown = events.finished;
  events.finished = (r) => {
    shown?.(r);
    onFinished?.(r);
  };
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
        events,
        uploads: new Map(),
        jobTime: new JobTimeEstimate(),
        budget,
      },
      { concurrency: o.concurrency, failFast: o.fail_fast },
    );
  } finally {
    await reporter.stop();
    await Promise.all([client.close(), submitClient.close()]);
  }
  // Fold the lock's append-only log into the lock, so that what is committed is complete.
  await lock.close();
  return { results, reporter, elapsedMs: Date.now() - started, budget };
}

/**
 * The run's budget: --max-cost, the balance read before the first submit, and the price learnt
 * from the journal. A batch whose estimate is more than the balance stops here, before paying
 * for anything (issue 14). A balance that cannot be read is warned about, not fatal: Segmind
 * still refuses (402) what the account cannot pay.
 */
async function batchBudget(
  ctx: Context,
  client: SegmindClient,
  journal: Journal,
  plans: readonly PlannedEntry[],
  maxCost: number | undefined,
): Promise<Budget> {
  const price = journalPrice(await journal.list());
  const images = imagesToSubmit(plans);
  if (images === 0) return new Budget({ maxCost, price });
  const balance = await readBalance(client, ctx.signal).catch((e: unknown) => {
    if (isFluxKreaError(e) && (e.kind === 'auth' || e.kind === 'interrupted')) throw e;
    ctx.ui.warn(
      `Could not read the balance (${(e as Error).message}); only Segmind's own refusal (402) guards it in this run.`,
    );
    return undefined;
  });
  // Paid credits only: whether Segmind spends free credits on this model is unknown, and
  // remaining_credits, which steers the rest of the run, reports paid credits.
  const known = balance?.record ? balance.credits : undefined;
  const estimate = jobEstimate(price, images);
  if (known !== undefined && estimate !== undefined && estimate > known) {
    throw new BudgetError(
      'balance',
      { spent: 0, estimate, balance: known, left: known },
      `This batch would cost about ${formatCredits(estimate)} credits (${images} image${images === 1 ? '' : 's'} at ${formatCredits(price!.perImage)}), more than the balance of ${formatCredits(known)}: nothing was submitted.`,
    );
  }
  return new Budget({ maxCost, balance: known, price });
}
