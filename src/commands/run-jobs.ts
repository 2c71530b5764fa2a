/** Bodies of `result`, `status` and `jobs`. */
import { resolveSettings, type FlagValues } from '../store/settings.js';
import { saveResults } from '../core/save-results.js';
import { UsageError, isFluxKreaError } from '../errors.js';
import type { RunOptions } from '../params/run-options.js';
import type { JournalEntry } from '../store/journal.js';
import { makeClient, openJournal, printJson, resumeHint, type Context } from '../cli/context.js';
import { StatusReporter } from '../cli/status-reporter.js';
import { explicitIntervalMs } from './poll-interval.js';
import { RESULT_FIELDS, STATUS_FIELDS } from './result.js';
import { EXIT } from '../cli/exit-codes.js';
import { filesJson, metricsJson } from '../cli/json-output.js';

/** Results live on the server for one hour. */
export const RETENTION_MS = 60 * 60 * 1000;

function checkId(id: string): string {
  const t = id.trim();
  if (!/^[\w.-]{4,128}$/.test(t)) throw new UsageError(`<request-id>: ${JSON.stringify(id)} does not look like a request id.`, { suggestion: 'Copy it from the output of the original run, or from `flux-krea jobs`.' });
  return t;
}

export async function runResult(ctx: Context, rawId: string, flags: FlagValues): Promise<void> {
  const id = checkId(rawId);
  const resolved = await resolveSettings({ flags, env: ctx.env, fields: RESULT_FIELDS });
  const run = resolved.values as unknown as RunOptions;
  ctx.ui.configure(run);
  const journal = openJournal(ctx);
  const entry = await journal.get(id);
  const outDir = flags.out ? run.out : entry?.outDir ?? run.out;
  const client = await makeClient(ctx, { retries: run.retries, requestTimeoutSeconds: run.request_timeout });
  const reporter = new StatusReporter(ctx.ui);
  try {
    const job = client.jobFor(id);
    reporter.events().submitted?.(id);
    const result = await client.wait(job, {
      intervalMs: explicitIntervalMs(resolved, run), deadline: Date.now() + run.timeout * 1000, signal: ctx.signal,
      onStatus: (s) => reporter.events().status?.(s, id), pollNow: true,
    });
    const prompt = entry?.prompt ?? 'segmind';
    const seed = (entry?.params?.seed as number | undefined) ?? id.slice(0, 8);
    const files = await saveResults({
      client, result, dir: outDir, prompt, seed, requestId: id, journal, retries: run.retries, signal: ctx.signal, events: reporter.events(),
    });
    await reporter.stop();
    if (run.json) {
      printJson(ctx, { request_id: id, status: result.status, files: filesJson(files), metrics: metricsJson(result.metrics) });
    } else {
      for (const f of files) ctx.stdout.write(`${f.path}\n`);
    }
    ctx.ui.info(`saved ${files.length} image${files.length === 1 ? '' : 's'} from ${id}`);
  } catch (e) {
    if (isFluxKreaError(e)) {
      if (e.kind === 'not-found') {
        await journal.record({ id, state: 'expired' });
        throw e.with({
          message: `Request ${id} is unknown or expired on the server.`,
          suggestion: 'Results are kept for 1 hour after the job; after that the job must be generated again.',
        });
      } else if (e.kind === 'job-failed') {
        await journal.record({ id, state: 'failed', error: e.message });
      } else if (e.kind !== 'usage' && e.kind !== 'auth') {
        throw e.with({ suggestion: `Try again: ${resumeHint(id, outDir)}` });
      }
    }
    throw e;
  } finally {
    await reporter.stop();
    await client.close();
  }
}

export async function runStatus(ctx: Context, rawId: string, flags: FlagValues): Promise<void> {
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
      process.exitCode = EXIT.jobFailed;
    }
    if (run.json) printJson(ctx, { request_id: id, status, ...(error ? { error } : {}) });
    else ctx.stdout.write(`${status}\n`);
    if (error) ctx.ui.error(error);
  } finally {
    await client.close();
  }
}

export function fetchable(j: JournalEntry, now = Date.now()): boolean {
  return (j.state === 'submitted' || j.state === 'partial') && j.mode !== 'sync' && now - Date.parse(j.createdAt) < RETENTION_MS;
}

/** A journal entry as `jobs --json` shows it: snake case, like every other document. */
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
    fetchable: canFetch,
    resume: canFetch ? resumeHint(j.id, j.outDir) : null,
  };
}

export async function runJobs(ctx: Context, opts: { json?: boolean; limit: string }): Promise<void> {
  const limit = Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit: ${JSON.stringify(opts.limit)} is not allowed; use a whole number of at least 1.`);
  const journal = openJournal(ctx);
  const jobs = (await journal.list()).slice(0, limit);
  if (opts.json) {
    printJson(ctx, { jobs: jobs.map((j) => jobJson(j)) });
    return;
  }
  if (jobs.length === 0) {
    ctx.ui.info(`No jobs yet (journal: ${journal.path}).`);
    return;
  }
  for (const j of jobs) {
    const prompt = (j.prompt ?? '').replace(/\s+/g, ' ');
    const short = prompt.length > 40 ? `${prompt.slice(0, 39)}…` : prompt;
    const files = j.files?.length ? `${j.files.length} file${j.files.length === 1 ? '' : 's'}` : '';
    const hint = fetchable(j) ? ` → ${resumeHint(j.id, j.outDir)}` : '';
    ctx.stdout.write(`${j.id}  ${j.createdAt.slice(0, 19).replace('T', ' ')}  ${j.state.padEnd(9)} ${files.padEnd(8)} ${short}${hint}\n`);
  }
}
