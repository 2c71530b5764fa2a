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

const SEVERITY: ErrorKind[] = ['interrupted', 'auth', 'credits', 'rate-limit', 'usage', 'internal', 'network', 'server', 'output', 'not-found', 'deadline', 'job-failed'];

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
  const counts: Counts = { total: results.length, done: 0, skipped: 0, failed: 0, interrupted: 0, 'not-run': 0, stale: 0 };
  for (const r of results) counts[r.status]++;
  return counts;
}

/**
 * Credits this run spent: the sum over the jobs it submitted (a job fetched by request id was
 * paid for by an earlier run). Undefined when one of them did not say what it cost.
 */
export function runCost(results: readonly ReportEntry[]): number | undefined {
  let sum = 0;
  for (const r of results) {
    if (r.status !== 'done' || r.resumed) continue;
    if (r.cost === undefined) return undefined;
    sum += r.cost;
  }
  // Credits are decimals: keep the sum free of binary-fraction noise (0.1 + 0.2).
  return Math.round(sum * 1e6) / 1e6;
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
    error: r.error ?? null,
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
}

/** The last line of `batch --json`: counts, spend, where the lock and the gallery are. */
export function batchSummary(i: SummaryInput): Record<string, unknown> {
  const counts = countResults(i.results);
  const cost = runCost(i.results);
  const status = i.exitCode === EXIT.ok ? 'ok' : i.exitCode === EXIT.interrupted ? 'interrupted' : i.exitCode === EXIT.stale ? 'stale' : 'failed';
  return {
    type: 'summary',
    status,
    exit_code: i.exitCode,
    manifest: i.manifest,
    lock: i.lock,
    shard: i.shard ?? null,
    counts,
    submits: i.submits,
    elapsed_s: Math.round(i.elapsedMs / 100) / 10,
    cost: cost ?? null,
    gallery: i.gallery ?? null,
  };
}
