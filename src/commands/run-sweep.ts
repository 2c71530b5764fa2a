/**
 * A sweep (`flux-krea "a fox" --seed 1..4 --guidance 2,4`): one job per combination, run
 * through the batch engine (concurrency, the rate gate, the lock when --lock is given, the
 * summary). Everything is checked, the size capped and every request built before anything is
 * sent. Runs only when a flag holds a list or a range (its module loads with every body, run.ts).
 */
import { relative, resolve } from 'node:path';
import { generationEndpoint, MODEL } from '../api/endpoints.js';
import type { BatchEntry } from '../core/batch/entries.js';
import { planEntries, type Action } from '../core/batch/plan.js';
import type { EntryResult } from '../core/batch/run-entry.js';
import { formatCredits } from '../core/money/credits.js';
import { overBudgetWarning } from './shared/money.js';
import { randomSeed, RANDOM_SEED } from '../core/params.js';
import { buildRequest } from './shared/build-request.js';
import { checkSweepSize, combinations, comboLabel, type SweepAxis } from '../core/sweep.js';
import { UsageError } from '../errors.js';
import { slugify } from '../output/naming.js';
import type { BatchOptions } from '../params/batch-options.js';
import { MODEL_FIELDS } from '../params/fields.js';
import type { RunOptions } from '../params/run-options.js';
import type { SweepOptions } from '../params/sweep-options.js';
import type { Resolved } from '../store/settings.js';
import { batchExitCode, batchReport } from './shared/batch-report.js';
import { endpoints, printJson, type Context } from './shared/context.js';
import { EXIT } from './shared/exit-codes.js';
import { LockFile } from '../store/lock.js';
import { acquireLockOwner } from '../store/lock-owner.js';
import { runThroughEngine } from './shared/run-plans.js';
import { batchSpend } from '../core/batch/spend.js';
import { openFiles } from './shared/open.js';
import { derivedSeed, stableStringify } from '../util/hash.js';

export type SweepRunOptions = RunOptions &
  SweepOptions &
  Pick<BatchOptions, 'concurrency' | 'rpm' | 'lock' | 'force' | 'fail_fast'>;

export interface SweepInput {
  resolved: Resolved;
  run: SweepRunOptions;
  axes: SweepAxis[];
  prompt: string;
}

export async function runSweep(ctx: Context, s: SweepInput): Promise<number> {
  const { run, axes } = s;
  if (run.out === '-')
    throw new UsageError('-o -: a sweep writes one file per job, not stdout.', {
      suggestion: 'Give a directory with -o.',
    });
  if (run.sync) {
    throw new UsageError(
      '--sync: a sweep submits its jobs and waits for them several at a time; --sync is one blocking call.',
      { suggestion: 'Leave out --sync.' },
    );
  }
  checkSweepSize(axes, run.max_jobs);
  const how = axes.map((a) => `${a.values.length} ${a.flag}`).join(' × ');
  const { entries, warnings } = await sweepEntries(s);
  for (const w of warnings) ctx.ui.warn(w);

  // A dry run without a lock has nothing to compare with.
  if (run.dry_run && !run.lock) {
    dryRun(
      ctx,
      run,
      entries.map((entry) => ({ entry, action: 'submit' as const })),
      how,
    );
    return EXIT.ok;
  }
  if (run.dry_run) {
    const lock = await LockFile.load(run.lock!, MODEL);
    dryRun(ctx, run, await planEntries(entries, { lock, baseOut: run.out, force: run.force }), how);
    return EXIT.ok;
  }
  // One paying run per lock file, as for a batch: two would each pay for what the other has not recorded yet.
  const owner = run.lock ? await acquireLockOwner(resolve(run.lock)) : undefined;
  try {
    return await runOwned(ctx, s, entries, how);
  } finally {
    await owner?.release();
  }
}

async function runOwned(ctx: Context, s: SweepInput, entries: BatchEntry[], how: string): Promise<number> {
  const { run, axes } = s;
  const lock = run.lock ? await LockFile.load(run.lock, MODEL) : LockFile.inMemory(process.cwd(), MODEL);
  // Nothing is pruned: a lock may be shared by several sweeps (or be a manifest's), and a
  // combination left out this time keeps its record and files for the next run or the gallery.
  const plans = await planEntries(entries, { lock, baseOut: run.out, force: run.force });
  ctx.ui.info(`sweep: ${entries.length} jobs (${how})${run.lock ? `, lock ${run.lock}` : ''}`);
  const { results, reporter, elapsedMs, budget } = await runThroughEngine(ctx, plans, lock, run);
  const lockShown = run.lock ? relative(process.cwd(), lock.path) : undefined;
  const display = (p: string) => relative(process.cwd(), lock.absolutePath(p)) || '.';
  const spend = batchSpend(results);
  const stop = budgetStopText(results, budget.spent, run);
  if (run.json) {
    const report = batchReport({
      manifest: '',
      lock: lockShown ?? '',
      results,
      interrupted: ctx.signal.aborted,
      elapsedMs,
      submits: reporter.submits,
      displayPath: display,
      spend,
      maxCost: run.max_cost,
    });
    const { manifest: _m, shard: _s, ...rest } = report;
    printJson(ctx, {
      ...rest,
      lock: lockShown ?? null,
      sweep: axes.map((a) => ({ flag: a.flag, param: a.field.key, values: a.values })),
      ...(stop ? { budget_stop: stop } : {}),
    });
  } else {
    for (const r of results)
      if (r.status === 'done' || r.status === 'skipped')
        for (const f of r.files) ctx.stdout.write(`${display(f.path)}\n`);
  }
  reporter.summary(results, elapsedMs, lockShown, spend, 'sweep');
  if (stop) ctx.ui.info(stop);
  const over = overBudgetWarning(budget);
  if (over) ctx.ui.warn(over);
  const paths = results.flatMap((r) => (r.status === 'done' ? r.files.map((f) => lock.absolutePath(f.path)) : []));
  if (!run.json && paths.length)
    await (
      await import('../cli/preview.js')
    ).showPreview(
      ctx,
      run,
      paths.map((p) => relative(process.cwd(), p)),
    );
  if (run.open && paths.length) await openFiles(ctx, paths);
  return batchExitCode(results, ctx.signal.aborted);
}

/** When --max-cost or the balance stopped the sweep: what was spent and how to go on. */
function budgetStopText(results: readonly EntryResult[], spent: number, run: SweepRunOptions): string | undefined {
  const limit = results.find((r) => r.budgetLimit)?.budgetLimit;
  if (!limit) return undefined;
  const left = results.filter((r) => r.status !== 'done' && r.status !== 'skipped').length;
  const why =
    limit === 'balance'
      ? 'the balance'
      : limit === 'unknown-cost'
        ? 'an unknown cost'
        : `--max-cost ${formatCredits(run.max_cost ?? 0)}`;
  const next = run.lock
    ? 'Run the same command again (with a larger --max-cost, or after topping up): what is done is skipped.'
    : 'With --lock <file>, running it again would skip what is done.';
  return `Stopped by ${why} after spending ${limit === 'unknown-cost' ? 'at least ' : ''}${formatCredits(spent)} credits: ${left} job${left === 1 ? '' : 's'} not paid for. ${next}`;
}

/**
 * One batch entry per combination. The seed is shared (unless it is swept) so that the images
 * differ only in what the sweep varies: the one given, or one picked at random, or with --lock
 * one derived from the request, so that a rerun asks for the same images and pays nothing.
 */
export async function sweepEntries(s: SweepInput): Promise<{ entries: BatchEntry[]; warnings: string[] }> {
  const { resolved, run, axes, prompt } = s;
  const values = { ...resolved.values };
  const origins = { ...resolved.origins };
  let seedSource: BatchEntry['seedSource'];
  if (axes.some((a) => a.field.key === 'seed')) seedSource = 'entry';
  else if (values.seed === undefined || values.seed === RANDOM_SEED) {
    const model = Object.fromEntries(
      MODEL_FIELDS.filter((f) => f.key !== 'seed' && values[f.key] !== undefined).map((f) => [f.key, values[f.key]]),
    );
    values.seed = run.lock ? derivedSeed(stableStringify({ ...model, prompt: prompt.trim() })) : randomSeed();
    origins.seed = run.lock
      ? { source: 'derived', where: 'derived from the request (stable with --lock)' }
      : { source: 'random', where: 'picked at random, shared by the sweep' };
    seedSource = 'derived';
  } else seedSource = origins.seed?.source === 'flag' ? 'entry' : 'default';

  const entries: BatchEntry[] = [];
  const warnings = new Set<string>();
  let line = 0;
  for (const combo of combinations(axes)) {
    const built = await buildRequest({ values: { ...values, ...combo }, origins: { ...origins } }, prompt);
    for (const w of built.warnings) warnings.add(w);
    // Shaped like a matrix cell's key (`a-red-fox[guidance=4 seed=1]`), so that the gallery
    // shows a sweep kept with --lock as one group.
    const key = `${slugify(built.params.prompt, 40)}[${axes.map((a) => `${a.field.key}=${String(combo[a.field.key])}`).join(' ')}]`;
    const name = [slugify(built.params.prompt), comboLabel(axes, combo), String(built.params.seed)]
      .filter(Boolean)
      .join('-');
    const entry: BatchEntry = { line: ++line, key, name, params: built.params, seedSource };
    if (built.localImage) entry.localImage = built.localImage;
    entries.push(entry);
  }
  return { entries, warnings: [...warnings] };
}

interface DryRow {
  entry: BatchEntry;
  action: Action;
}

function dryRun(ctx: Context, run: SweepRunOptions, plans: readonly DryRow[], how: string): void {
  const { baseUrl, uploadUrl } = endpoints(ctx.env);
  const endpoint = generationEndpoint(baseUrl, false);
  const body = (p: DryRow) => ({
    ...p.entry.params,
    ...(p.entry.localImage ? { image: `<uploaded from ${p.entry.localImage}>` } : {}),
  });
  const submits = plans.filter((p) => p.action === 'submit').length;
  const count = run.lock
    ? `${submits} to submit, ${plans.length - submits} already in the lock (fetched or skipped)`
    : `${plans.length} requests`;
  if (run.json) {
    printJson(ctx, {
      count: plans.length,
      sweep: how,
      requests: plans.map((p) => ({
        method: 'POST',
        endpoint,
        action: p.action,
        key: p.entry.key,
        ...(p.entry.localImage ? { upload: uploadUrl } : {}),
        body: body(p),
      })),
    });
  } else {
    for (const p of plans) ctx.stdout.write(`POST ${endpoint}\n${JSON.stringify(body(p), null, 2)}\n`);
  }
  ctx.ui.info(`dry run: a sweep of ${plans.length} jobs (${how}): ${count}. Nothing was sent.`);
}
