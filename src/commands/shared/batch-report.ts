/**
 * The batch's outcome as JSON Lines (`--json`: a line per entry, then a summary) and as one exit code.
 *
 * Exit code: 0 only when every entry of this run (or shard) is done or skipped. Otherwise the
 * code of the most serious failure, in this order: interrupted (130) > auth (3) > credits (4)
 * > rate limited (5) > usage (2, e.g. a 400) > network, server or output errors (1) > timed out
 * (7) > generation FAILED (6). Problems of the account outrank problems of one entry: when
 * both happened, the one to fix first decides. Entries not run (after --fail-fast) give 1
 * when nothing else failed.
 */
import { exitCodeFor, EXIT } from './exit-codes.js';
import type { ErrorKind } from '../../errors.js';
import type { EntryResult, EntryStatus } from '../../core/batch/run-entry.js';
import type { BatchSpend } from '../../core/batch/spend.js';

const SEVERITY: ErrorKind[] = [
  'interrupted',
  'auth',
  'credits',
  'rate-limit',
  'usage',
  'state',
  'internal',
  'network',
  'server',
  'output',
  'not-found',
  'deadline',
  'job-failed',
];

export function batchExitCode(results: readonly EntryResult[], interrupted = false): number {
  if (interrupted) return EXIT.interrupted;
  const kinds = new Set(results.flatMap((r) => (r.error ? [r.error.kind] : [])));
  const worst = SEVERITY.find((k) => kinds.has(k));
  if (worst) return exitCodeFor(worst);
  if (results.some((r) => r.status === 'interrupted')) return EXIT.interrupted;
  return results.some((r) => r.status === 'not-run' || r.status === 'failed') ? EXIT.error : EXIT.ok;
}

/** What a report shows of an entry: a run's result, or (--frozen) a check's verdict. */
export type ReportStatus = EntryStatus | 'stale';
export interface ReportEntry extends Omit<EntryResult, 'status'> {
  status: ReportStatus;
  /** --frozen: why the entry would be generated. */
  reason?: string;
}

export type Counts = Record<ReportStatus, number> & { total: number };

export function countResults(results: readonly ReportEntry[]): Counts {
  const counts: Counts = {
    total: results.length,
    done: 0,
    skipped: 0,
    failed: 0,
    interrupted: 0,
    'not-run': 0,
    stale: 0,
  };
  for (const r of results) counts[r.status]++;
  return counts;
}

/** One line of `batch --json` for a finished (or, with --frozen, checked) entry. */
export function entryJson(r: ReportEntry, displayPath: (lockPath: string) => string): Record<string, unknown> {
  return {
    type: 'entry',
    key: r.key,
    line: r.line,
    status: r.status,
    request_id: r.requestId ?? null,
    seed: r.seed,
    resumed: r.resumed ?? false,
    files: r.files.map((f) => ({ path: displayPath(f.path), bytes: f.bytes, sha256: f.sha256 })),
    cost: r.cost ?? null,
    remaining_credits: r.remainingCredits ?? null,
    error: r.error
      ? { kind: r.error.kind, message: r.error.message, ...(r.error.jobMayExist ? { job_may_exist: true } : {}) }
      : null,
    ...(r.reason ? { reason: r.reason } : {}),
  };
}

export interface SummaryInput {
  manifest: string;
  lock: string;
  shard?: string;
  results: readonly ReportEntry[];
  exitCode: number;
  elapsedMs: number;
  submits: number;
  gallery?: string;
  /** What this run paid, and the balance last reported. */
  spend?: BatchSpend;
  maxCost?: number;
  /** Set when --max-cost or the balance stopped the run. */
  budgetStop?: {
    limit: string;
    left: { entries: number; images: number; estimate: number | undefined };
    command: string;
  };
}

/** The last line of `batch --json`: counts, spend, where the lock and the gallery are. */
export function batchSummary(i: SummaryInput): Record<string, unknown> {
  const counts = countResults(i.results);
  const status =
    i.exitCode === EXIT.ok
      ? 'ok'
      : i.exitCode === EXIT.interrupted
        ? 'interrupted'
        : i.exitCode === EXIT.stale
          ? 'stale'
          : 'failed';
  return {
    type: 'summary',
    status,
    exit_code: i.exitCode,
    manifest: i.manifest,
    lock: i.lock,
    shard: i.shard ?? null,
    counts,
    submits: i.submits,
    // Credits this run paid (null: nothing was paid, or Segmind did not say); the balance after.
    cost: i.spend?.cost ?? null,
    remaining_credits: i.spend?.remaining ?? null,
    budget: {
      max_cost: i.maxCost ?? null,
      stopped_by: i.budgetStop?.limit ?? null,
      left: i.budgetStop
        ? {
            entries: i.budgetStop.left.entries,
            images: i.budgetStop.left.images,
            estimate: i.budgetStop.left.estimate ?? null,
          }
        : null,
      continue: i.budgetStop?.command ?? null,
    },
    elapsed_s: Math.round(i.elapsedMs / 100) / 10,
    gallery: i.gallery ?? null,
  };
}

export type ReportInput = Omit<SummaryInput, 'exitCode'> & {
  /** Ctrl-C was pressed (entries may have been left unrun rather than interrupted). */
  interrupted?: boolean;
  displayPath: (lockPath: string) => string;
};

/**
 * A sweep's `--json` (generate with value lists): one document with the summary's fields and
 * every entry, as `flux-krea schema sweep` describes. A batch streams the same as JSON Lines.
 */
export function batchReport(i: ReportInput): Record<string, unknown> {
  const { type: _summary, ...summary } = batchSummary({
    ...i,
    exitCode: batchExitCode(i.results as EntryResult[], i.interrupted),
  });
  const entries = i.results.map((r) => {
    const { type: _entry, ...entry } = entryJson(r, i.displayPath);
    return entry;
  });
  return { ...summary, entries };
}
