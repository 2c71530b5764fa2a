/**
 * Turns core progress events into what a person sees: spinner text with the state, elapsed
 * time and request id on a terminal; one plain line per change elsewhere; a summary at the end.
 */
import type { ProgressEvents } from '../../core/events.js';
import type { GenerateOutcome } from '../../core/generate.js';
import type { Ui } from '../../cli/ui.js';
import type { RetryInfo } from '../../api/http.js';
import { spendParts } from './money.js';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** One line per retry, so a slow run explains itself. */
export function formatRetry(r: RetryInfo): string {
  return `${r.method} ${new URL(r.url).pathname}: ${r.reason.replace(/\.$/, '')}; retry ${r.attempt} in ${(r.delayMs / 1000).toFixed(1)}s`;
}

export class StatusReporter {
  private readonly ui: Ui;
  private readonly started = Date.now();
  private state = 'starting';
  private requestId?: string;
  private ticker?: NodeJS.Timeout;

  constructor(ui: Ui) {
    this.ui = ui;
  }

  private elapsed(): string {
    return `${((Date.now() - this.started) / 1000).toFixed(1)}s`;
  }

  /**
   * On a terminal the id is shortened to its first 8 characters (the full id is on the line
   * above): a frame of about 36 columns survives a terminal made narrower, where a longer one
   * would leave its top row behind (ui.ts). Plain lines carry the full id, for logs.
   */
  private text(): string {
    const id =
      this.requestId && this.ui.interactive && this.requestId.length > 9
        ? `${this.requestId.slice(0, 8)}…`
        : this.requestId;
    return `${this.state} · ${this.elapsed()}${id ? ` · ${id}` : ''}`;
  }

  private show(state: string): void {
    this.state = state;
    this.ui.progress(this.text());
    if (this.ui.interactive && !this.ticker) {
      this.ticker = setInterval(() => this.ui.tick(this.text()), 200);
      this.ticker.unref();
    }
  }

  events(): ProgressEvents {
    return {
      uploading: (path) => this.show(`uploading ${path}`),
      submitted: (id) => {
        this.requestId = id;
        // The id is shown once as a plain line too, so it survives in scrollback and logs.
        this.ui.info(`request id: ${id}`);
      },
      status: (s) => this.show(s),
      downloading: (n) => this.show(`downloading ${n} image${n === 1 ? '' : 's'}`),
      warning: (m) => this.ui.warn(m),
      retry: (r) => this.ui.warn(formatRetry(r)),
      syncCall: () => this.show('generating (--sync)'),
      syncInterrupted: () =>
        this.ui.warn(
          'Ctrl-C: a --sync call has no request id to resume, so flux-krea keeps waiting for the images being paid for (until --timeout). Ctrl-C again quits now: the job may still be billed, and its images are lost.',
        ),
    };
  }

  async stop(): Promise<void> {
    clearInterval(this.ticker);
    this.ticker = undefined;
    await this.ui.stop();
  }

  summary(o: GenerateOutcome): void {
    const total = o.files.reduce((a, f) => a + f.bytes, 0);
    const parts = [
      `${this.ui.color.green('saved')} ${o.files.length} image${o.files.length === 1 ? '' : 's'} (${formatBytes(total)})`,
      `seed ${o.seed}`,
    ];
    if (o.metrics.inferenceTime !== undefined) parts.push(`inference ${o.metrics.inferenceTime.toFixed(1)}s`);
    parts.push(...spendParts(o.metrics.cost, o.metrics.remainingCredits));
    parts.push(`total ${this.elapsed()}`);
    this.ui.info(parts.join(' · '));
  }
}
