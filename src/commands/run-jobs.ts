/** Bodies of `result`, `status` and `jobs`. */
import { resolveSettings, type FlagValues } from '../store/settings.js';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { saveResults } from '../core/save-results.js';
import { filesStillThere, isImageOf } from '../core/saved-files.js';
import { imageStem } from '../output/naming.js';
import type { SavedImage } from '../output/download.js';
import type { Metrics } from '../api/client.js';
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
  // `-o -` writes the image to stdout, as generate does (issue 13 item 4); never to a terminal (item 3).
  const toStdout = flags.out !== undefined && run.out === '-';
  if (toStdout) (await import('../cli/stdout-image.js')).refuseTerminal(ctx);
  const journal = openJournal(ctx);
  const entry = await journal.get(id);
  // The journal keeps absolute paths; an older relative one means the current directory, as before.
  const outDir = resolve(flags.out ? run.out : entry?.outDir ?? run.out);
  const prompt = entry?.prompt ?? 'segmind';
  const seed = (entry?.params?.seed as number | undefined) ?? id.slice(0, 8);
  // Files this job already has in outDir: reported, not downloaded again (issue 13 item 6).
  const have = toStdout ? [] : await filesStillThere(entry?.files, outDir);
  if (entry?.state === 'saved' && have.length > 0 && have.length === entry.files?.length) {
    reportFiles(ctx, run, id, 'COMPLETED', have, {});
    ctx.ui.info(`already saved: ${have.length} image${have.length === 1 ? '' : 's'} of ${id}; nothing downloaded (delete a file to fetch it again)`);
    return;
  }
  const client = await makeClient(ctx, { retries: run.retries, requestTimeoutSeconds: run.request_timeout });
  const reporter = new StatusReporter(ctx.ui);
  const dir = toStdout ? await (await import('../cli/stdout-image.js')).stagingDir() : outDir;
  try {
    const job = client.jobFor(id);
    reporter.events().submitted?.(id);
    const result = await client.wait(job, {
      intervalMs: explicitIntervalMs(resolved, run), deadline: Date.now() + run.timeout * 1000, signal: ctx.signal,
      onStatus: (s) => reporter.events().status?.(s, id), pollNow: true,
    });
    // Only the images not on disk yet; each keeps its index in the name.
    const stemOf = (i: number) => imageStem(prompt, seed, i);
    const kept = result.images.map((_, i) => have.find((f) => isImageOf(f.path, stemOf(i))));
    const missing = result.images.map((_, i) => i).filter((i) => !kept[i]);
    const fresh = missing.length === 0 ? [] : await saveResults({
      client, result: { ...result, images: missing.map((i) => result.images[i]!) }, dir, prompt, seed, requestId: id,
      // Staged for stdout: the job stays fetchable, nothing is recorded as saved.
      journal: toStdout ? undefined : journal, retries: run.retries, signal: ctx.signal, events: reporter.events(),
      stem: (k) => stemOf(missing[k]!),
    });
    await reporter.stop();
    if (toStdout) {
      const { writeImageToStdout } = await import('../cli/stdout-image.js');
      await writeImageToStdout(ctx, fresh, dir, `flux-krea result ${id} -o <dir>`);
      return;
    }
    const files = [...kept.filter((f): f is SavedImage => f !== undefined), ...fresh];
    reportFiles(ctx, run, id, result.status, files, result.metrics);
    const already = files.length - fresh.length;
    ctx.ui.info(`saved ${fresh.length} image${fresh.length === 1 ? '' : 's'} from ${id}${already ? ` (${already} already saved, kept)` : ''}`);
  } catch (e) {
    if (toStdout) await rm(dir, { recursive: true, force: true });
    if (isFluxKreaError(e)) {
      if (e.kind === 'not-found') {
        await journal.record({ id, state: 'expired' });
        e.message = `Request ${id} is unknown or expired on the server.`;
        e.suggestion = 'Results are kept for 1 hour after the job; after that the job must be generated again.';
      } else if (e.kind === 'job-failed') {
        await journal.record({ id, state: 'failed', error: e.message });
      } else if (e.kind !== 'usage' && e.kind !== 'auth') {
        e.suggestion = `Try again: ${resumeHint(id, toStdout ? undefined : outDir)}`;
      }
    }
    throw e;
  } finally {
    await reporter.stop();
    await client.close();
  }
}

function reportFiles(ctx: Context, run: RunOptions, id: string, status: string, files: SavedImage[], metrics: Metrics): void {
  if (run.json) printJson(ctx, { request_id: id, status, files: filesJson(files), metrics: metricsJson(metrics) });
  else for (const f of files) ctx.stdout.write(`${f.path}\n`);
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

export async function runJobs(ctx: Context, opts: { json?: boolean; limit: string }): Promise<void> {
  const limit = Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit: ${JSON.stringify(opts.limit)} is not allowed; use a whole number of at least 1.`);
  const journal = openJournal(ctx);
  const jobs = (await journal.list()).slice(0, limit);
  if (opts.json) {
    printJson(ctx, jobs.map((j) => ({ ...j, fetchable: fetchable(j) })));
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
