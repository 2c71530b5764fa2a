/**
 * The batch command's body: resolve settings, read and check the whole manifest (exit 2 and no
 * request on any problem), plan against the lock file, run, present. Behind run.ts, with the
 * other bodies.
 */
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { MODEL } from '../api/endpoints.js';
import { resolveEntries, type BatchEntry } from '../core/batch/entries.js';
import { LockFile } from '../store/lock.js';
import { acquireLockOwner } from '../store/lock-owner.js';
import { parseManifest, type Problem } from '../core/batch/manifest.js';
import { ALL_BATCH_FIELDS, BATCH_MODEL_FIELDS, type BatchOptions } from '../core/batch/options.js';
import { planEntries, type PlannedEntry } from '../core/batch/plan.js';
import type { EntryResult } from '../core/batch/run-entry.js';
import { batchExitCode, batchSummary, entryJson, type ReportEntry } from './shared/batch-report.js';
import {
  annotate,
  appendStepSummary,
  artifactsUrl,
  entryAnnotations,
  problemsMarkdown,
  summaryMarkdown,
} from './shared/github.js';
import { formatJsonLine } from './shared/json-document.js';
import { PREVIOUS_DIR } from '../core/batch/replace.js';
import { inShard, parseShard, shardLabel, type Shard } from '../core/batch/shard.js';
import { resolveSettings, type FlagValues } from '../store/settings.js';
import { openStore } from '../store/store.js';
import { UsageError } from '../errors.js';
import type { RunOptions } from '../params/run-options.js';
import { runThroughEngine } from './shared/run-plans.js';
import { EXIT } from './shared/exit-codes.js';
import { openJournal, printJson, shellQuote, type Context } from './shared/context.js';
import { Budget } from '../core/money/budget.js';
import { formatCredits } from '../core/money/credits.js';
import { jobEstimate, journalPrice, type PriceEstimate } from '../core/money/price.js';
import { batchSpend, budgetFor, imagesToSubmit, leftToPay, type BatchSpend } from '../core/batch/spend.js';
import { overBudgetWarning } from './shared/money.js';
import type { LockFile as Lock } from '../store/lock.js';
import { checkGalleryTarget, writeGallery } from '../output/gallery/index.js';
import { checkFrozen } from '../core/batch/frozen.js';

/** Resolves with the exit code: 0 when every entry is done or skipped, else the worst failure's (batch-report.ts). */
export async function runBatch(ctx: Context, manifestPath: string, flags: FlagValues): Promise<number> {
  const store = await openStore(ctx.env);
  const resolved = await resolveSettings({
    flags,
    env: ctx.env,
    userDefaults: store.get('defaults'),
    userConfigPath: store.path,
    fields: ALL_BATCH_FIELDS,
  });
  const run = resolved.values as unknown as RunOptions & BatchOptions;
  ctx.ui.configure(run);
  const shard = run.shard === undefined ? undefined : parseShard(run.shard);
  if (run.out === '-')
    throw new UsageError('-o -: a batch writes files, not stdout.', { suggestion: 'Give a directory with -o.' });

  const text = await readFile(manifestPath, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`Cannot read the manifest ${manifestPath} (${e.code ?? e.message}).`);
  });
  const parsed = parseManifest(manifestPath, text);
  const defaults = Object.fromEntries(
    BATCH_MODEL_FIELDS.filter((f) => resolved.values[f.key] !== undefined).map((f) => [f.key, resolved.values[f.key]]),
  );
  const checked = await resolveEntries({ raw: parsed.entries, defaults, manifestDir: dirname(resolve(manifestPath)) });
  const problems = [...parsed.problems, ...checked.problems].sort((a, b) => a.line - b.line);
  if (problems.length) {
    for (const p of problems) ctx.ui.error(where(manifestPath, p));
    const file = annotationPath(ctx, manifestPath);
    annotate(
      ctx,
      problems.map((p) => ({ file, line: p.line, title: 'flux-krea: invalid entry', message: problemText(p) })),
    );
    await appendStepSummary(
      ctx,
      problemsMarkdown(
        manifestPath,
        problems.map((p) => ({ line: p.line, text: problemText(p) })),
      ),
    );
    throw new UsageError(
      `${manifestPath}: ${problems.length} problem${problems.length === 1 ? '' : 's'} (listed above); nothing was sent.`,
      {
        suggestion: 'Fix the lines named above and run again. `flux-krea batch --help` describes the manifest.',
      },
    );
  }
  if (checked.entries.length === 0)
    throw new UsageError(`${manifestPath} has no entries.`, {
      suggestion: 'Add one prompt per line, or one JSON object per line with a "prompt".',
    });
  for (const w of checked.warnings) ctx.ui.warn(where(manifestPath, w));

  // Checked now, not when the page is written at the end: by then the run has paid.
  if (run.gallery && !run.dry_run) await checkGalleryTarget(run.gallery, 'gallery');

  const lockPath = run.lock ?? defaultLockPath(manifestPath, shard);
  // One paying run per lock (issue 12 item 2): two would each submit what the other has not
  // recorded yet. Taken before the lock is read, so the plan sees every record of the run
  // before; a dry run or a --frozen check sends nothing and needs no ownership.
  const owner = run.dry_run || run.frozen ? undefined : await acquireLockOwner(resolve(lockPath));
  try {
    return await runOwned(ctx, run, manifestPath, checked.entries, lockPath, shard, againFlags(flags));
  } finally {
    await owner?.release();
  }
}

async function runOwned(
  ctx: Context,
  run: RunOptions & BatchOptions,
  manifestPath: string,
  entries: BatchEntry[],
  lockPath: string,
  shard: Shard | undefined,
  again: string[],
): Promise<number> {
  const checked = { entries };
  const lock = await LockFile.load(lockPath, MODEL);
  const keys = new Set(checked.entries.map((e) => e.key));
  // Entries gone from the manifest leave the lock; other shards' entries stay (a shared --lock).
  const pruned = lock.prune((k) => keys.has(k));
  const mine = checked.entries.filter((e) => inShard(e.key, shard));
  const plans = await planEntries(mine, { lock, baseOut: run.out, force: run.force, verify: run.verify });

  const display = (p: string) => relative(process.cwd(), lock.absolutePath(p)) || '.';
  const place: Where = {
    manifest: manifestPath,
    lock: relative(process.cwd(), lock.path),
    shard: shard && shardLabel(shard),
  };
  if (run.frozen) {
    if (run.force) throw new UsageError('--frozen checks the lock, which --force would ignore: use one or the other.');
    return frozen(ctx, run, plans, lock, place, display);
  }
  if (run.dry_run) {
    dryRun(ctx, run.json, plans, lockPath, shard, {
      price: journalPrice(await openJournal(ctx).list()),
      maxCost: run.max_cost,
    });
    return EXIT.ok;
  }
  // Before the balance check and the first submit: what will be paid for again, and why.
  announceRegeneration(ctx, plans);
  // --json streams a line per entry as it finishes, so a long batch can be followed (and an
  // agent can act on each image) before the summary line ends the stream.
  const streamed = new Set<string>();
  const onFinished = (r: EntryResult) => {
    if (!run.json) return;
    ctx.stdout.write(formatJsonLine(entryJson(r, display)));
    streamed.add(r.key);
  };
  const { results, reporter, elapsedMs, budget } = await runThroughEngine(ctx, plans, lock, run, pruned, onFinished);

  const spend = batchSpend(results);
  const stop = budgetStop(results, plans, budget, { manifest: manifestPath, again });
  if (!run.json)
    for (const r of results) if (r.status === 'done') for (const f of r.files) ctx.stdout.write(`${display(f.path)}\n`);
  reporter.summary(results, elapsedMs, place.lock, spend);
  if (stop) ctx.ui.info(stop.text);
  const over = overBudgetWarning(budget);
  if (over) ctx.ui.warn(over);
  const gallery = run.gallery ? await writeLockGallery(ctx, lock, run.gallery) : undefined;
  const code = batchExitCode(results, ctx.signal.aborted);
  // Entries that never started (--fail-fast, Ctrl-C) had no line yet.
  const rest = results.filter((r) => !streamed.has(r.key));
  await finish(ctx, run.json, {
    ...place,
    entries: run.json ? rest : [],
    all: results,
    code,
    elapsedMs,
    submits: reporter.submits,
    gallery,
    frozen: false,
    display,
    spend,
    maxCost: run.max_cost,
    budgetStop: stop,
  });
  return code;
}

interface Where {
  manifest: string;
  lock: string;
  shard?: string;
}

/**
 * The end of every batch that ran or was checked: the JSON lines not yet printed and the
 * summary line, then GitHub's annotations and job summary when on Actions.
 */
async function finish(
  ctx: Context,
  json: boolean,
  f: Where & {
    entries: readonly ReportEntry[];
    all: readonly ReportEntry[];
    code: number;
    elapsedMs: number;
    submits: number;
    gallery?: string;
    frozen: boolean;
    display: (p: string) => string;
    spend?: BatchSpend;
    maxCost?: number;
    budgetStop?: BudgetStop;
  },
): Promise<void> {
  if (json) {
    for (const r of f.entries) ctx.stdout.write(formatJsonLine(entryJson(r, f.display)));
    ctx.stdout.write(formatJsonLine(batchSummary({ ...f, results: f.all, exitCode: f.code })));
  }
  annotate(ctx, entryAnnotations(annotationPath(ctx, f.manifest), f.all));
  await appendStepSummary(
    ctx,
    summaryMarkdown({ ...f, entries: f.all, displayPath: f.display, artifactsUrl: artifactsUrl(ctx.env) }),
  );
}

async function writeLockGallery(ctx: Context, lock: Lock, out: string): Promise<string> {
  const g = await writeGallery({ inputs: [lock.path], out });
  for (const w of g.warnings) ctx.ui.warn(w);
  const shown = relative(process.cwd(), g.path);
  ctx.ui.info(`gallery: ${shown}`);
  return shown;
}

/**
 * `--frozen`: every entry checked against the lock and its files (core/batch/frozen.ts), with
 * no key and no request; exit 8 when anything would be generated. Nothing is written but the
 * report (and the gallery, when asked for).
 */
async function frozen(
  ctx: Context,
  run: RunOptions & BatchOptions,
  plans: PlannedEntry[],
  lock: Lock,
  place: Where,
  display: (p: string) => string,
): Promise<number> {
  const started = Date.now();
  const verdicts = await checkFrozen(plans, lock, display);
  const entries: ReportEntry[] = verdicts.map(({ plan, current, reason }) => ({
    key: plan.entry.key,
    line: plan.entry.line,
    seed: plan.entry.params.seed,
    requestId: plan.previous?.request_id,
    ...(current
      ? { status: 'skipped' as const, files: plan.previous?.files ?? [] }
      : { status: 'stale' as const, files: [], reason }),
  }));
  const stale = entries.filter((e) => e.status === 'stale');
  for (const e of stale) ctx.ui.error(`${place.manifest}:${e.line}: ${e.key}: would be generated: ${e.reason}`);
  const code = stale.length ? EXIT.stale : EXIT.ok;
  ctx.ui.info(
    `frozen: ${entries.length - stale.length} of ${entries.length} entries current${stale.length ? `, ${stale.length} would be generated` : ''}; lock ${place.lock}. Nothing was sent.`,
  );
  if (stale.length)
    ctx.ui.info(
      `To update them, run \`flux-krea batch ${place.manifest}\` with a key (unchanged entries cost nothing), then commit or cache the lock and the images.`,
    );
  const gallery = run.gallery ? await writeLockGallery(ctx, lock, run.gallery) : undefined;
  await finish(ctx, run.json, {
    ...place,
    entries,
    all: entries,
    code,
    elapsedMs: Date.now() - started,
    submits: 0,
    gallery,
    frozen: true,
    display,
  });
  return code;
}

/** The manifest as GitHub names files in annotations: relative to the workspace. */
function annotationPath(ctx: Context, manifest: string): string {
  return relative(ctx.env.GITHUB_WORKSPACE ?? process.cwd(), resolve(manifest))
    .split('\\')
    .join('/');
}

function problemText(p: Problem): string {
  const cell = p.cell === undefined ? '' : `cell ${p.cell}: `;
  return `${cell}${p.field && !p.message.startsWith(p.field) ? `${p.field}: ` : ''}${p.message}`;
}

/** Before paying: which entries the lock knows are submitted again, and why (issue 13 item 7). */
function announceRegeneration(ctx: Context, plans: readonly PlannedEntry[]): void {
  const again = plans.filter((p) => p.reason);
  if (!again.length) return;
  const SHOWN = 10;
  ctx.ui.info(
    `regenerating ${again.length} entr${again.length === 1 ? 'y' : 'ies'} the lock knows, each a new paid job (earlier images are moved to ${PREVIOUS_DIR}/, never deleted):`,
  );
  for (const p of again.slice(0, SHOWN)) ctx.ui.info(`  ${p.entry.key} (line ${p.entry.line}): ${p.reason}`);
  if (again.length > SHOWN) ctx.ui.info(`  … and ${again.length - SHOWN} more (--dry-run lists them all)`);
}

function where(manifest: string, p: Problem): string {
  return `${manifest}:${p.line}: ${problemText(p)}`;
}

/** `<manifest>.lock.json`; each shard of a CI matrix keeps its own, so runners never fight over one file. */
export function defaultLockPath(manifest: string, shard?: Shard): string {
  return shard ? `${manifest}.shard-${shard.index}-of-${shard.count}.lock.json` : `${manifest}.lock.json`;
}

function dryRun(
  ctx: Context,
  json: boolean,
  plans: PlannedEntry[],
  lockPath: string,
  shard: Shard | undefined,
  money: { price?: PriceEstimate; maxCost?: number },
): void {
  const images = imagesToSubmit(plans);
  const estimate = jobEstimate(money.price, images);
  const rows = plans.map((p) => ({
    key: p.entry.key,
    line: p.entry.line,
    action: p.action,
    seed: p.entry.params.seed,
    out: relative(process.cwd(), p.outDir) || '.',
    request_id: p.action === 'resume' ? (p.previous?.request_id ?? null) : null,
    params: p.entry.params,
    reason: p.reason ?? null,
  }));
  if (json) {
    printJson(ctx, {
      lock: lockPath,
      shard: shard ? shardLabel(shard) : null,
      entries: rows,
      estimate: {
        images,
        cost: estimate ?? null,
        per_image: money.price?.perImage ?? null,
        from_jobs: money.price?.jobs ?? 0,
      },
    });
    return;
  }
  for (const r of rows)
    ctx.stdout.write(
      `${r.action.padEnd(7)} ${r.key}  (line ${r.line}, seed ${r.seed}, -> ${r.out})${r.reason ? `  ${r.reason}` : ''}\n`,
    );
  const count = (a: string) => rows.filter((r) => r.action === a).length;
  ctx.ui.info(
    `dry run: ${count('submit')} to submit, ${count('resume')} to fetch by request id, ${count('skip')} unchanged; lock ${lockPath}. Nothing was sent.`,
  );
  const budget =
    money.maxCost === undefined
      ? ''
      : estimate === undefined || estimate <= money.maxCost
        ? `; --max-cost ${formatCredits(money.maxCost)}`
        : `; --max-cost ${formatCredits(money.maxCost)} would stop it before the end`;
  ctx.ui.info(
    estimate === undefined
      ? `Estimated cost of ${images} image${images === 1 ? '' : 's'}: unknown: no job in the journal has reported a price yet${budget}.`
      : `Estimated cost of ${images} image${images === 1 ? '' : 's'}: ${formatCredits(estimate)} credits (${formatCredits(money.price!.perImage)} an image, the highest of the last ${money.price!.jobs} priced job${money.price!.jobs === 1 ? '' : 's'})${budget}.`,
  );
}

export interface BudgetStop {
  limit: 'max-cost' | 'balance' | 'unknown-cost';
  /** Entries left, their images and estimated cost. */
  left: { entries: number; images: number; estimate: number | undefined };
  /** The command that continues (with a budget that covers what is left, when it is known). */
  command: string;
  text: string;
}

/** When the budget or the balance stopped the run: what is left and the command that continues. */
/**
 * The flags of this run as words for the command that continues it. Without them a pasted
 * command ran with other defaults (-n, -o...), so every done entry looked changed and was paid
 * for again; --force would regenerate them too, and --max-cost gets its new value.
 */
function againFlags(flags: FlagValues): string[] {
  const words: string[] = [];
  for (const [key, { raw, flag }] of Object.entries(flags)) {
    if (key === 'max_cost' || key === 'force') continue;
    if (typeof raw === 'boolean') words.push(flag);
    else for (const value of Array.isArray(raw) ? raw : [raw]) words.push(flag, String(value));
  }
  return words;
}

function budgetStop(
  results: readonly EntryResult[],
  plans: readonly PlannedEntry[],
  budget: Budget,
  o: { manifest: string; again: string[] },
): BudgetStop | undefined {
  const limit = results.find((r) => r.budgetLimit)?.budgetLimit;
  if (!limit) return undefined;
  const left = leftToPay(results, plans, budget.price === undefined ? undefined : { perImage: budget.price, jobs: 1 });
  const base = ['flux-krea', 'batch', o.manifest, ...o.again].map(shellQuote).join(' ');
  const more = left.estimate === undefined ? '' : ` --max-cost ${budgetFor(left.estimate)}`;
  const command = limit === 'max-cost' ? `${base}${more}` : base;
  const what = `${left.entries} entr${left.entries === 1 ? 'y' : 'ies'} (${left.images} image${left.images === 1 ? '' : 's'}${left.estimate === undefined ? '' : `, about ${formatCredits(left.estimate)} credits`}) not paid for`;
  const spent = `${limit === 'unknown-cost' ? 'at least ' : ''}${formatCredits(budget.spent)} credits`;
  const next = {
    'max-cost': `Done entries are kept; to continue: ${command}`,
    balance: `Done entries are kept; top up at https://cloud.segmind.com/console/billing, then continue with: ${command}`,
    'unknown-cost': `Segmind did not report what a job cost and no price was known, so --max-cost could not be kept. To continue, run without --max-cost only if an unknown spend is acceptable: ${command}`,
  }[limit];
  const why =
    limit === 'balance'
      ? 'the balance'
      : limit === 'unknown-cost'
        ? 'an unknown cost'
        : `--max-cost ${formatCredits(budget.maxCost ?? 0)}`;
  const text = `Stopped by ${why} after spending ${spent}: ${what}. ${next}`;
  return { limit, left, command, text };
}
