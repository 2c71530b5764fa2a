/**
 * What a person sees during a batch, on stderr: a spinner line with the counts and the elapsed
 * time on a terminal, or one plain line per finished entry elsewhere (CI logs); at the end a
 * summary table naming every entry that did not succeed and why.
 */
import type { BatchSpend } from '../../core/batch/spend.js';
import { spendParts } from './money.js';
import type { BatchEvents, EntryResult } from '../../core/batch/run-entry.js';
import { countResults } from './batch-report.js';
import type { Ui } from '../../cli/ui.js';
import { formatRetry } from './status-reporter.js';

/** Above this many entries, the final table lists only those that need attention. */
const FULL_TABLE_MAX = 40;

export class BatchReporter {
  submits = 0;
  private readonly ui: Ui;
  private readonly total: number;
  private readonly started = Date.now();
  private readonly running = new Set<string>();
  private finished = 0;
  private counts = { done: 0, skipped: 0, failed: 0 };
  private ticker?: NodeJS.Timeout;

  constructor(ui: Ui, total: number) {
    this.ui = ui;
    this.total = total;
  }

  /** The rpm cap holds a submit back: said once per wait, so a long pause is never a mystery. */
  readonly onGateWait = (ms: number, reason: 'rpm' | 'rate-limited'): void => {
    if (reason === 'rpm' && ms >= 1000) this.ui.info(`--rpm cap reached: next submit in ${(ms / 1000).toFixed(1)}s`);
  };

  private elapsed(): string {
    return `${((Date.now() - this.started) / 1000).toFixed(1)}s`;
  }

  line(): string {
    const c = this.counts;
    return `${this.finished}/${this.total} · done ${c.done} · running ${this.running.size} · failed ${c.failed} · skipped ${c.skipped} · ${this.elapsed()}`;
  }

  /**
   * The spinner's text: the counts that move, in about 40 columns, so that a terminal made
   * narrower keeps no stale frame (ui.ts; issue 13 item 12). Each finished entry's plain line
   * carries the full counts.
   */
  spinnerLine(): string {
    const s = (Date.now() - this.started) / 1000;
    return `${this.finished}/${this.total} · ${this.running.size} running · ${this.counts.failed} failed · ${s.toFixed(s < 100 ? 1 : 0)}s`;
  }

  private refresh(): void {
    if (!this.ui.interactive) return;
    this.ui.progress(this.spinnerLine());
    if (!this.ticker) {
      this.ticker = setInterval(() => this.ui.tick(this.spinnerLine()), 200);
      this.ticker.unref();
    }
  }

  events(): BatchEvents {
    return {
      submitted: (key, id) => {
        this.submits++;
        this.running.add(key);
        this.ui.debug(`${key}: submitted, request id ${id}`);
        this.refresh();
      },
      resumed: (key, id) => {
        this.running.add(key);
        this.ui.info(`${key}: fetching job ${id} (already paid for)`);
        this.refresh();
      },
      finished: (r) => {
        this.running.delete(r.key);
        this.finished++;
        if (r.status === 'done' || r.status === 'skipped') this.counts[r.status]++;
        else if (r.status === 'failed') this.counts.failed++;
        // The spinner first, so that it is redrawn with the new counts under the line.
        this.refresh();
        if (r.status !== 'skipped') this.ui.info(`${this.mark(r)} ${r.key}${this.detail(r)}  [${this.line()}]`);
      },
      rateLimited: (ms) => this.ui.warn(`rate limited (429): all submits wait ${(ms / 1000).toFixed(1)}s`),
      // The same line as a single run's: the batch's own copy had drifted into `(ECONNREFUSED).; retry`.
      retry: (i) => this.ui.warn(formatRetry(i)),
      warning: (m) => this.ui.warn(m),
    };
  }

  private mark(r: EntryResult): string {
    const c = this.ui.color;
    return r.status === 'done'
      ? c.green('done  ')
      : r.status === 'failed'
        ? c.red('failed')
        : c.yellow(r.status.padEnd(6));
  }

  private detail(r: EntryResult): string {
    if (r.error) return `: ${r.error.message}${r.requestId ? ` (request ${r.requestId})` : ''}`;
    return ` → ${r.files.length} file${r.files.length === 1 ? '' : 's'}${r.resumed ? ', fetched by request id' : ''}`;
  }

  async stop(): Promise<void> {
    clearInterval(this.ticker);
    this.ticker = undefined;
    await this.ui.stop();
  }

  /** `lockPath` undefined: a sweep without --lock, which has nothing to rerun from. */
  summary(
    results: readonly EntryResult[],
    elapsedMs: number,
    lockPath: string | undefined,
    spend?: BatchSpend,
    what: 'batch' | 'sweep' = 'batch',
  ): void {
    const c = countResults(results);
    const rows =
      results.length <= FULL_TABLE_MAX ? results : results.filter((r) => r.status !== 'done' && r.status !== 'skipped');
    if (rows.length && !this.ui.quiet) {
      const width = Math.min(40, Math.max(5, ...rows.map((r) => r.key.length)));
      this.ui.info(`${'STATUS'.padEnd(12)}${'ENTRY'.padEnd(width + 2)}${'LINE'.padEnd(6)}${'FILES'.padEnd(7)}NOTE`);
      for (const r of rows) {
        const note = r.error
          ? `${r.error.message}${r.requestId ? ` (request ${r.requestId})` : ''}`
          : r.resumed
            ? 'fetched by request id'
            : '';
        this.ui.info(
          `${r.status.padEnd(12)}${r.key.slice(0, width).padEnd(width + 2)}${String(r.line).padEnd(6)}${String(r.files.length).padEnd(7)}${note}`,
        );
      }
    } else if (this.ui.quiet) {
      for (const r of results)
        if (r.status === 'failed') this.ui.error(`${r.key} (line ${r.line}): ${r.error!.message}`);
    }
    const lock = lockPath === undefined ? '' : ` · lock ${lockPath}`;
    this.ui.info(
      `${what}: ${c.total} ${what === 'batch' ? 'entries' : 'jobs'} · ${c.done} done · ${c.skipped} skipped · ${c.failed} failed${c.interrupted ? ` · ${c.interrupted} interrupted` : ''}${c['not-run'] ? ` · ${c['not-run']} not run` : ''} · ${this.submits} submitted${money(results, spend)} · ${(elapsedMs / 1000).toFixed(1)}s${lock}`,
    );
    const moved = results.filter((r) => r.movedAside?.length);
    if (moved.length)
      this.ui.info(
        `earlier images of ${moved.length} changed entr${moved.length === 1 ? 'y' : 'ies'} were moved to previous/ in their directory`,
      );
    // A budget stop prints its own way to continue (run-batch.ts): the same command would spend its budget again.
    if (results.some((r) => r.budgetLimit)) return;
    // A sweep without --lock has no record to continue from: the journal has its jobs.
    const next =
      lockPath === undefined
        ? results.some((r) => r.status === 'failed' || r.status === 'interrupted' || r.status === 'not-run')
          ? 'Jobs already submitted are listed by `flux-krea jobs` (fetch one with `flux-krea result <id>`); with --lock <file>, running the same command again would fetch them and skip what is done.'
          : undefined
        : rerunAdvice(results);
    if (next) this.ui.info(next);
  }
}

/**
 * What running the same command again really does for the entries that did not finish (issue
 * 13 item 7): a job already submitted is fetched by its request id without paying again; an
 * entry whose job FAILED, or that never got a job, is submitted again: a new job, billed when
 * it succeeds (Segmind does not bill FAILED jobs).
 */
export function rerunAdvice(results: readonly EntryResult[]): string | undefined {
  const open = results.filter((r) => r.status === 'failed' || r.status === 'interrupted' || r.status === 'not-run');
  if (!open.length) return undefined;
  const fetched = open.filter((r) => r.requestId && r.error?.kind !== 'job-failed').length;
  const unanswered = open.filter((r) => r.error?.jobMayExist).length;
  const submitted = open.length - fetched - unanswered;
  const parts = ['Run the same command again to continue: finished entries are skipped'];
  if (fetched)
    parts.push(
      `${fetched} job${fetched === 1 ? ' already submitted is' : 's already submitted are'} fetched by request id without paying again`,
    );
  // No request id came back, so the lock cannot fetch it: a rerun pays for it again (Segmind has no idempotency key).
  if (unanswered)
    parts.push(
      `${unanswered} entr${unanswered === 1 ? 'y whose submit got no answer may already have a billed job that cannot be fetched' : 'ies whose submits got no answer may already have billed jobs that cannot be fetched'}: running again pays for ${unanswered === 1 ? 'it' : 'them'} again (check the Segmind dashboard first)`,
    );
  if (submitted)
    parts.push(
      `${submitted} entr${submitted === 1 ? 'y that failed or never started is' : 'ies that failed or never started are'} submitted again: a new job each, billed if it succeeds`,
    );
  return `${parts.join('; ')}.`;
}

/** " · 4 images · 0.04 credits · 99.96 left": what this run paid for, when anything. */
function money(results: readonly EntryResult[], spend: BatchSpend | undefined): string {
  if (!spend) return '';
  const images = results.filter((r) => r.status === 'done' && !r.resumed).reduce((n, r) => n + r.files.length, 0);
  const parts = [`${images} image${images === 1 ? '' : 's'}`, ...spendParts(spend.cost, spend.remaining)];
  if (spend.unpriced) parts.push(`${spend.unpriced} job${spend.unpriced === 1 ? '' : 's'} of unreported cost`);
  return ` · ${parts.join(' · ')}`;
}
