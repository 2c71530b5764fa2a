/** Bodies of `result`, `status` and `jobs`. */
import { printable } from '../util/printable.js';
import { resolveSettings, type FlagValues } from '../store/settings.js';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { runJob, type JobOutcome } from '../core/job.js';
import { filesStillThere, isImageOf } from '../core/saved-files.js';
import { imageStem } from '../output/naming.js';
import type { ResolvedParams } from '../params/schema.js';
import { reportError, type Advice } from './shared/report-error.js';
import { UsageError, isFluxKreaError } from '../errors.js';
import type { RunOptions } from '../params/run-options.js';
import { stillFetchable as fetchable, type JournalEntry } from '../store/journal.js';
import { makeClient, openJournal, printJson, resumeHint, type Context } from './shared/context.js';
import { StatusReporter } from './shared/status-reporter.js';
import { explicitIntervalMs } from './poll-interval.js';
import { RESULT_FIELDS, STATUS_FIELDS } from './result.js';
import { EXIT } from './shared/exit-codes.js';
import { formatCredits, parseSpan, roundCredits } from '../core/money/credits.js';
import { filesJson, metricsJson } from './shared/json-output.js';
import type { SavedImage } from '../output/download.js';
import type { Metrics } from '../api/client.js';
import { refuseTerminal, stagingDir, writeImageToStdout } from './shared/stdout-image.js';

function checkId(id: string): string {
  const t = id.trim();
  if (!/^[\w.-]{4,128}$/.test(t))
    throw new UsageError(`<request-id>: ${JSON.stringify(id)} does not look like a request id.`, {
      suggestion: 'Copy it from the output of the original run, or from `flux-krea jobs`.',
    });
  return t;
}

/**
 * `result <id>`: the job pipeline from the wait on (no upload, no submit: the job is paid for).
 * Resolves with the exit code; a failure is shown here, with the resume command to try again.
 * Run again, it reports the files the job already has instead of downloading them a second
 * time (`…-1_2.jpg`), and fetches only the missing ones; the journal's directory is absolute,
 * so the current directory does not matter (issue 13 item 6). `-o -` writes the one image to
 * stdout (item 4), never to a terminal (item 3).
 */
export async function runResult(ctx: Context, rawId: string, flags: FlagValues): Promise<number> {
  const id = checkId(rawId);
  const resolved = await resolveSettings({ flags, env: ctx.env, fields: RESULT_FIELDS });
  const run = resolved.values as unknown as RunOptions;
  ctx.ui.configure(run);
  const toStdout = flags.out !== undefined && run.out === '-';
  if (toStdout) refuseTerminal(ctx);
  const journal = openJournal(ctx);
  const entry = await journal.get(id);
  // An older journal's relative directory means the current one, as it did before.
  const outDir = resolve(flags.out ? run.out : (entry?.outDir ?? run.out));
  const params = { ...entry?.params, prompt: entry?.prompt ?? 'segmind' } as ResolvedParams;
  const nameSeed = (entry?.params?.seed as number | undefined) ?? id.slice(0, 8);
  const have = toStdout ? [] : await filesStillThere(entry?.files, outDir);
  if (entry?.state === 'saved' && have.length > 0 && have.length === entry.files?.length) {
    // What the job cost, as the journal kept it: nothing is asked of Segmind.
    reportFiles(ctx, run, id, 'COMPLETED', have, { cost: entry.cost, remainingCredits: entry.remainingCredits });
    ctx.ui.info(
      `already saved: ${have.length} image${have.length === 1 ? '' : 's'} of ${id}; nothing downloaded (delete a file to fetch it again)`,
    );
    return EXIT.ok;
  }
  const client = await makeClient(ctx, { retries: run.retries, requestTimeoutSeconds: run.request_timeout });
  const reporter = new StatusReporter(ctx.ui);
  const dir = toStdout ? await stagingDir() : outDir;
  let outcome: JobOutcome | undefined;
  let failure: unknown;
  try {
    outcome = await runJob({
      client,
      requestId: id,
      outDir: dir,
      events: reporter.events(),
      // Staged for stdout: nothing is recorded as saved, the job stays fetchable.
      journal: toStdout ? undefined : journal,
      // Named as the original run would have named them; a job we never journaled gets part of its id.
      params,
      nameSeed,
      alreadySaved: (i) => have.find((f) => isImageOf(f.path, imageStem(params.prompt, nameSeed, i))),
      intervalMs: explicitIntervalMs(resolved, run),
      deadline: Date.now() + run.timeout * 1000,
      retries: run.retries,
      signal: ctx.signal,
    });
  } catch (e) {
    failure = e;
  } finally {
    await reporter.stop();
    await client.close();
  }
  if (!outcome) {
    if (toStdout) await rm(dir, { recursive: true, force: true });
    return reportError(ctx, ctx.ui, failure, run.json, {
      ...resultAdvice(failure, id, toStdout ? undefined : outDir),
      ...(toStdout ? { savedFiles: [] } : {}),
    });
  }
  if (toStdout) {
    await writeImageToStdout(ctx, outcome.files, dir, `flux-krea result ${id} -o <dir>`);
    return EXIT.ok;
  }
  reportFiles(ctx, run, id, outcome.status, outcome.files, outcome.metrics);
  const already = outcome.files.filter((f) => have.includes(f)).length;
  const fresh = outcome.files.length - already;
  ctx.ui.info(
    `saved ${fresh} image${fresh === 1 ? '' : 's'} from ${id}${already ? ` (${already} already saved, kept)` : ''}`,
  );
  return EXIT.ok;
}

function reportFiles(
  ctx: Context,
  run: RunOptions,
  id: string,
  status: string,
  files: SavedImage[],
  metrics: Metrics,
): void {
  if (run.json) {
    printJson(ctx, {
      request_id: id,
      status,
      files: filesJson(files),
      cost: metrics.cost ?? null,
      remaining_credits: metrics.remainingCredits ?? null,
      metrics: metricsJson(metrics),
    });
  } else {
    for (const f of files) ctx.stdout.write(`${f.path}\n`);
  }
}

function resultAdvice(e: unknown, id: string, outDir: string | undefined): Advice {
  if (!isFluxKreaError(e)) return {};
  if (e.kind === 'not-found') {
    return {
      message: `Request ${id} is unknown or expired on the server.`,
      suggestion: 'Results are kept for 1 hour after the job; after that the job must be generated again.',
    };
  }
  if (e.kind === 'job-failed' || e.kind === 'usage' || e.kind === 'auth') return {};
  return { suggestion: `Try again: ${resumeHint(id, outDir)}` };
}

/** Resolves with the exit code: 6 for a FAILED job, whose state is still printed as a result. */
export async function runStatus(ctx: Context, rawId: string, flags: FlagValues): Promise<number> {
  const id = checkId(rawId);
  const resolved = await resolveSettings({ flags, env: ctx.env, fields: STATUS_FIELDS });
  const run = resolved.values as unknown as RunOptions;
  ctx.ui.configure(run);
  const client = await makeClient(ctx, { retries: run.retries, requestTimeoutSeconds: run.request_timeout });
  try {
    let status: string;
    let error: string | undefined;
    try {
      status = await client.status(id, { signal: ctx.signal });
    } catch (e) {
      if (!isFluxKreaError(e) || e.kind !== 'job-failed') throw e;
      status = 'FAILED';
      error = e.message;
    }
    if (run.json) printJson(ctx, { request_id: id, status, ...(error ? { error } : {}) });
    else ctx.stdout.write(`${status}\n`);
    if (error) ctx.ui.error(error);
    return error ? EXIT.jobFailed : EXIT.ok;
  } finally {
    await client.close();
  }
}

/** A journal entry as `jobs --json` shows it: snake case, like every other document; `result` finds the directory in the journal. */
export function jobJson(j: JournalEntry, now = Date.now()): Record<string, unknown> {
  const canFetch = fetchable(j, now);
  return {
    request_id: j.id,
    state: j.state,
    mode: j.mode ?? 'async',
    created_at: j.createdAt,
    updated_at: j.updatedAt,
    prompt: j.prompt ?? null,
    params: j.params ?? null,
    out_dir: j.outDir ?? null,
    files: j.files ?? [],
    error: j.error ?? null,
    run_ms: j.runMs ?? null,
    cost: j.cost ?? null,
    remaining_credits: j.remainingCredits ?? null,
    fetchable: canFetch,
    resume: canFetch ? resumeHint(j.id) : null,
  };
}

export async function runJobs(ctx: Context, opts: { json?: boolean; limit?: string; since?: string }): Promise<void> {
  const limit = opts.limit === undefined ? (opts.since === undefined ? 20 : Infinity) : Number(opts.limit);
  if (!(limit === Infinity || (Number.isInteger(limit) && limit >= 1)))
    throw new UsageError(`--limit: ${JSON.stringify(opts.limit)} is not allowed; use a whole number of at least 1.`);
  const span = opts.since === undefined ? undefined : parseSpan(opts.since);
  if (opts.since !== undefined && span === undefined) {
    throw new UsageError(
      `--since: ${JSON.stringify(opts.since)} is not allowed; use a number and a unit: m (minutes), h, d or w, e.g. 7d.`,
    );
  }
  const journal = openJournal(ctx);
  const from = span === undefined ? -Infinity : Date.now() - span;
  const jobs = (await journal.list()).filter((j) => Date.parse(j.createdAt) >= from).slice(0, limit);
  if (opts.json) printJson(ctx, { jobs: jobs.map((j) => jobJson(j)) });
  else if (jobs.length === 0)
    ctx.ui.info(opts.since ? `No jobs in the last ${opts.since}.` : `No jobs yet (journal: ${journal.path}).`);
  else {
    // The header is for people (stderr): stdout keeps one line per job.
    ctx.ui.info(
      `${'REQUEST ID'.padEnd(34)}${'CREATED'.padEnd(21)}${'STATE'.padEnd(10)}${'COST'.padEnd(9)}${'FILES'.padEnd(9)}PROMPT`,
    );
    for (const j of jobs) {
      // A prompt is any text (a manifest's, from a pull request): never sent raw to the terminal.
      const prompt = printable((j.prompt ?? '').replace(/\s+/g, ' '));
      const short = prompt.length > 40 ? `${prompt.slice(0, 39)}…` : prompt;
      const files = j.files?.length ? `${j.files.length} file${j.files.length === 1 ? '' : 's'}` : '';
      const cost = j.cost === undefined ? '-' : formatCredits(j.cost);
      // No -o: `result` saves into the journal's directory by itself.
      const hint = fetchable(j) ? ` → ${resumeHint(j.id)}` : '';
      ctx.stdout.write(
        `${j.id.padEnd(33)} ${j.createdAt.slice(0, 19).replace('T', ' ')}  ${j.state.padEnd(9)} ${cost.padEnd(8)} ${files.padEnd(8)} ${short}${hint}\n`,
      );
    }
  }
  if (opts.since !== undefined) ctx.ui.info(spendTotal(jobs, opts.since));
}

/** "last 7d: 12 jobs · 0.24 credits (1 of unreported cost)": failed jobs cost nothing and are not counted as unpriced. */
export function spendTotal(jobs: readonly JournalEntry[], since: string): string {
  const paid = jobs.filter((j) => j.state !== 'failed');
  const total = roundCredits(paid.reduce((sum, j) => sum + (j.cost ?? 0), 0));
  const unpriced = paid.filter((j) => j.cost === undefined).length;
  return `last ${since}: ${jobs.length} job${jobs.length === 1 ? '' : 's'} · ${formatCredits(total)} credits spent${unpriced ? ` (${unpriced} of unreported cost not counted)` : ''}`;
}
