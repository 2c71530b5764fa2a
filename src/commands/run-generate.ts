/**
 * The generate command's body: resolve settings, show a dry run or run the core, present the
 * outcome. Kept apart from the command definition so that `--help` loads none of this (see
 * run.ts); undici loads only with the first request, so a dry run never does.
 */
import { rm } from 'node:fs/promises';
import { generate, type GenerateOutcome } from '../core/generate.js';
import { buildRequest } from './shared/build-request.js';
import { resolveSettings, type FlagValues, type Resolved } from '../store/settings.js';
import { readStore } from '../store/store.js';
import { UsageError, isFluxKreaError } from '../errors.js';
import type { RunOptions } from '../params/run-options.js';
import { MODEL_FIELDS, RUN_FIELDS, SWEEP_FIELDS, type FieldSpec } from '../params/fields.js';
import { sweepAxes } from '../core/sweep.js';
import { runSweep, type SweepRunOptions } from './run-sweep.js';
import { generationEndpoint } from '../api/endpoints.js';
import { makeClient, openJournal, printJson, resumeHint, endpoints, type Context } from './shared/context.js';
import { readPrompt } from './shared/stdin.js';
import { filesJson, metricsJson } from './shared/json-output.js';
import { StatusReporter } from './shared/status-reporter.js';
import { EXIT } from './shared/exit-codes.js';
import { reportError, type Advice } from './shared/report-error.js';
import { explicitIntervalMs } from './poll-interval.js';
import { overBudgetWarning, runBudget, unpricedBudgetWarning } from './shared/money.js';
import { jobEstimate, journalPrice, type PriceEstimate } from '../core/money/price.js';
import { formatCredits } from '../core/money/credits.js';
import type { ResolvedParams } from '../params/schema.js';
import { refuseTerminal, stagingDir, writeImageToStdout } from './shared/stdout-image.js';
import { openFiles } from './shared/open.js';

/** The flags of generate (and again): model, run, and the options of a sweep. */
export const GENERATE_FIELDS: readonly FieldSpec[] = [...MODEL_FIELDS, ...RUN_FIELDS, ...SWEEP_FIELDS];

/** A request read back from an image (`flux-krea again`): its values rank below flags, above everything else. */
export interface RecordedRequest {
  prompt: string;
  values: Record<string, unknown>;
  /** Where it was read, for --dry-run's sources. */
  where: string;
}

/**
 * Resolves with the exit code; a failed generation is shown here, with this run's resume
 * command. A flag given a list or a range makes the run a sweep (run-sweep.ts).
 */
export async function runGenerate(
  ctx: Context,
  promptArg: string | undefined,
  flags: FlagValues,
  recorded?: RecordedRequest,
): Promise<number> {
  const { axes, fixed } = sweepAxes(flags, MODEL_FIELDS);
  const store = await readStore(ctx.env);
  const resolved = await resolveSettings({
    flags: fixed,
    env: ctx.env,
    userDefaults: store.get('defaults'),
    userConfigPath: store.path,
    fields: GENERATE_FIELDS,
  });
  if (recorded) applyRecorded(resolved, recorded);
  const run = resolved.values as unknown as SweepRunOptions;
  ctx.ui.configure(run);
  const prompt = recorded ? recorded.prompt : await readPrompt(promptArg, ctx.signal);
  if (axes.length) {
    return runSweep(ctx, { resolved, run, axes, prompt });
  }
  const sweepOnly = SWEEP_FIELDS.filter((f) => resolved.origins[f.key]?.source === 'flag').map((f) => `--${f.flag}`);
  if (sweepOnly.length)
    ctx.ui.warn(
      `${sweepOnly.join(', ')} only ${sweepOnly.length === 1 ? 'applies' : 'apply'} to a sweep (a flag with a list or a range, e.g. --seed 1..4); ignored.`,
    );
  const built = await buildRequest(resolved, prompt);
  if (run.out === '-' && built.params.num_outputs !== 1) {
    throw new UsageError(`-o -: writes one image to stdout, but --num-outputs is ${built.params.num_outputs}.`, {
      suggestion: 'Add -n 1, or give a directory with -o.',
    });
  }
  // What v1 returns for several images is unknown (docs/segmind-contract.md): it may be one,
  // billed as several. Submit + poll returns them all, at the same price (issue 13 item 9).
  if (run.sync && built.params.num_outputs > 1) {
    ctx.ui.warn(
      `--sync returns one image per call; for --num-outputs ${built.params.num_outputs} flux-krea submits and polls instead (same price, every image).`,
    );
    run.sync = false;
  }
  if (run.out === '-' && !run.dry_run) refuseTerminal(ctx);
  for (const w of built.warnings) ctx.ui.warn(w);

  if (run.dry_run) {
    const price = journalPrice(await openJournal(ctx).list());
    dryRun(ctx, run, resolved, built.params, built.localImage, price);
    return EXIT.ok;
  }

  const client = await makeClient(ctx, { retries: run.retries, requestTimeoutSeconds: run.request_timeout });
  const journal = openJournal(ctx);
  const budget = run.max_cost === undefined ? undefined : await runBudget(run.max_cost, journal);
  const unpriced = unpricedBudgetWarning(budget);
  if (unpriced) ctx.ui.warn(unpriced);
  const reporter = new StatusReporter(ctx.ui);
  // Said before the call, since Ctrl-C does not do here what it does elsewhere (issue 13 item 8).
  if (run.sync)
    ctx.ui.info(
      '--sync: one blocking call (about 25 s) with no request id to resume it, so Ctrl-C waits for its answer (the images are paid for); Ctrl-C twice quits.',
    );
  const toStdout = run.out === '-';
  const outDir = toStdout ? await stagingDir() : run.out;
  let outcome: GenerateOutcome | undefined;
  let failure: unknown;
  try {
    outcome = await generate({
      client,
      params: built.params,
      localImage: built.localImage,
      sync: run.sync,
      outDir,
      // A resumed `-o -` job lands in the current directory, never in the vanished staging dir.
      journalOutDir: toStdout ? process.cwd() : undefined,
      intervalMs: explicitIntervalMs(resolved, run),
      deadline: Date.now() + run.timeout * 1000,
      retries: run.retries,
      journal,
      budget,
      signal: ctx.signal,
      events: reporter.events(),
      metadata: run.metadata,
    });
  } catch (e) {
    failure = e;
  } finally {
    await reporter.stop();
    await client.close();
  }
  if (!outcome) {
    // Staged images are gone with the staging dir: the journal points at the job, not at them.
    if (toStdout) await rm(outDir, { recursive: true, force: true });
    return reportError(ctx, ctx.ui, failure, run.json, {
      ...adviceFor(failure, run),
      ...(toStdout ? { savedFiles: [] } : {}),
    });
  }
  for (const w of outcome.warnings) ctx.ui.warn(w);
  if (toStdout) {
    await writeImageToStdout(ctx, outcome.files, outDir);
  } else if (run.json) {
    printJson(ctx, toJson(outcome));
  } else {
    for (const f of outcome.files) ctx.stdout.write(`${f.path}\n`);
  }
  if (!toStdout)
    await (
      await import('../cli/preview.js')
    ).showPreview(
      ctx,
      run,
      outcome.files.map((f) => f.path),
    );
  reporter.summary(outcome);
  const over = overBudgetWarning(budget);
  if (over) ctx.ui.warn(over);
  if (run.open && !toStdout) {
    await openFiles(
      ctx,
      outcome.files.map((f) => f.path),
    );
  }
  return EXIT.ok;
}

/** Recorded values take the place of everything but a flag. */
function applyRecorded(resolved: Resolved, recorded: RecordedRequest): void {
  for (const [key, value] of Object.entries(recorded.values)) {
    if (resolved.origins[key]?.source === 'flag') continue;
    resolved.values[key] = value;
    resolved.origins[key] = { source: 'recorded', where: recorded.where };
  }
}

/** The next step that only this run knows (its -o); cli/hints.ts gives every other. */
function adviceFor(e: unknown, run: RunOptions): Advice {
  if (!isFluxKreaError(e)) return {};
  if (e.requestId && e.kind !== 'job-failed' && e.kind !== 'not-found') {
    return {
      suggestion: `The job is kept on the server for an hour. Fetch its images with: ${resumeHint(e.requestId, run.out === '-' ? undefined : run.out)}`,
    };
  }
  return {};
}

export function toJson(o: GenerateOutcome): Record<string, unknown> {
  return {
    request_id: o.requestId ?? null,
    status: o.status,
    files: filesJson(o.files),
    seed: o.seed,
    params: o.params,
    cost: o.metrics.cost ?? null,
    remaining_credits: o.metrics.remainingCredits ?? null,
    metrics: metricsJson(o.metrics),
    warnings: o.warnings,
  };
}

function dryRun(
  ctx: Context,
  run: RunOptions,
  resolved: Resolved,
  params: ResolvedParams,
  localImage: string | undefined,
  price: PriceEstimate | undefined,
): void {
  const estimate = jobEstimate(price, params.num_outputs);
  const { baseUrl, uploadUrl } = endpoints(ctx.env);
  const endpoint = generationEndpoint(baseUrl, run.sync);
  const body = { ...params, ...(localImage ? { image: `<uploaded from ${localImage}>` } : {}) };
  const sources = Object.fromEntries(
    Object.entries(resolved.origins).map(([k, o]) => [
      k,
      o.source === 'flag' ||
      o.source === 'recorded' ||
      o.source === 'env' ||
      o.source === 'project' ||
      o.source === 'user'
        ? `${o.source} (${o.where})`
        : o.source,
    ]),
  );
  if (run.json) {
    printJson(ctx, {
      method: 'POST',
      endpoint,
      ...(localImage ? { upload: uploadUrl } : {}),
      body,
      sources,
      estimate: { cost: estimate ?? null, per_image: price?.perImage ?? null, from_jobs: price?.jobs ?? 0 },
    });
    return;
  }
  ctx.stdout.write(`POST ${endpoint}\n${JSON.stringify(body, null, 2)}\n`);
  if (localImage) ctx.ui.info(`(${localImage} would first be uploaded to ${uploadUrl})`);
  ctx.ui.info(estimateText(price, estimate, run.max_cost));
  // Every value sent, and of the other settings only those not left at their default (the
  // --json lists them all): a sweep's and a batch's settings mean nothing for one job.
  ctx.ui.info('Where each value came from:');
  for (const [k, v] of Object.entries(sources)) {
    if (k in body || v !== 'default') ctx.ui.info(`  ${k.padEnd(24)} ${v}`);
  }
}

/** What a dry run says about the price: learnt from recent jobs, or not known yet. */
function estimateText(
  price: PriceEstimate | undefined,
  estimate: number | undefined,
  maxCost: number | undefined,
): string {
  const budget =
    maxCost === undefined
      ? ''
      : `; --max-cost ${formatCredits(maxCost)}${estimate !== undefined && estimate > maxCost ? ' would stop it' : ''}`;
  if (!price || estimate === undefined)
    return `Estimated cost: unknown: no job in the journal has reported a price yet${budget}.`;
  return `Estimated cost: ${formatCredits(estimate)} credits (${formatCredits(price.perImage)} an image, the highest of the last ${price.jobs} priced job${price.jobs === 1 ? '' : 's'})${budget}.`;
}
