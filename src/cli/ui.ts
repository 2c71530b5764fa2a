/**
 * Everything people see on stderr: spinner or plain lines, warnings, summary, errors.
 * stdout is never written here. No spinner and no colour when stderr is not a TTY or NO_COLOR
 * is set (FORCE_COLOR forces colour).
 */
import type { Ora } from 'ora';
import type { ChalkInstance } from 'chalk';
import { stderrOutput, streamOutput, type Output } from './output.js';

export interface UiOptions {
  quiet?: boolean;
  verbose?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Where to write instead of the process's stderr (tests). */
  stream?: NodeJS.WriteStream;
  out?: Output;
  /** The styler to use; without it the output has no colour (createUi() brings chalk when colour is on). */
  color?: ChalkInstance;
}

/** What chalk does at level 0, without loading chalk: any chain of styles returns the text as is. */
const PLAIN: ChalkInstance = new Proxy(((...text: unknown[]) => text.join(' ')) as unknown as ChalkInstance, {
  get: (_target, prop) => (prop === 'level' ? 0 : PLAIN),
});

function outOf(o: UiOptions): Output {
  if (o.out) return o.out;
  if (o.stream) return streamOutput(o.stream);
  return stderrOutput();
}

/**
 * A Ui with colour when the stream and the environment allow it. chalk (with supports-color,
 * which loads node:tty and node:os) is imported only then: colourless runs — pipes, CI,
 * NO_COLOR, every benchmark of start-up — do not pay for it (issue 6).
 */
export async function createUi(o: UiOptions = {}): Promise<Ui> {
  const out = outOf(o);
  const level = colorLevel(o.env ?? process.env, out.isTTY());
  if (level === 0 || o.color) return new Ui({ ...o, out });
  const { Chalk } = await import('chalk');
  return new Ui({ ...o, out, color: new Chalk({ level }) });
}

export function colorLevel(env: NodeJS.ProcessEnv, isTTY: boolean): 0 | 1 | 2 | 3 {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') {
    if (force === '0' || force === 'false') return 0;
    return force === '2' ? 2 : force === '3' ? 3 : 1;
  }
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  if (!isTTY || env.TERM === 'dumb') return 0;
  return 1;
}

export class Ui {
  readonly color: ChalkInstance;
  quiet: boolean;
  verbose: boolean;
  /** A spinner is allowed: stderr is an interactive terminal and NO_COLOR is not set. */
  readonly interactive: boolean;
  private readonly out: Output;
  private spinner?: Ora;
  private spinnerLoading?: Promise<void>;
  private lastText = '';

  constructor(o: UiOptions = {}) {
    const env = o.env ?? process.env;
    this.out = outOf(o);
    const tty = this.out.isTTY();
    this.color = o.color ?? PLAIN;
    this.quiet = Boolean(o.quiet);
    this.verbose = Boolean(o.verbose);
    // A terminal that reports 0 columns (some containers before a resize) would send ora's
    // line clearing into an endless loop: plain lines there.
    // NO_COLOR means no colour, not no spinner (no-color.org; issue 13 item 12): the spinner
    // then turns without colour.
    this.interactive = tty && (this.out.columns() ?? 0) > 0 && env.TERM !== 'dumb' && env.CI !== 'true';
  }

  /** Settings may turn quiet or verbose on after the UI exists (from a config file). */
  configure(o: { quiet?: boolean; verbose?: boolean }): void {
    this.quiet ||= Boolean(o.quiet);
    this.verbose ||= Boolean(o.verbose);
  }

  private write(line: string): void {
    if (this.out.closed()) return;
    const wasSpinning = this.spinner?.isSpinning;
    if (wasSpinning) this.spinner!.clear();
    this.out.write(`${line}\n`);
    if (wasSpinning) this.spinner!.render();
  }

  /** Progress: a spinner on a terminal, else one plain line per change. */
  progress(text: string): void {
    if (this.quiet || text === this.lastText) return;
    this.lastText = text;
    if (!this.interactive) {
      this.write(`flux-krea: ${text}`);
      return;
    }
    if (this.spinner) {
      this.spinner.text = this.fit(text);
      return;
    }
    this.spinnerLoading ??= import('ora').then(({ default: ora }) => {
      const stream = this.out.stream() as NodeJS.WriteStream;
      this.spinner = ora({
        text: this.fit(this.lastText),
        stream,
        discardStdin: false,
        color: this.color.level > 0 ? 'cyan' : false,
      }).start();
    });
  }

  /** Updates spinner text without printing a line outside a TTY (e.g. the elapsed time). */
  tick(text: string): void {
    if (this.spinner && !this.quiet) this.spinner.text = this.fit(text);
  }

  /**
   * The spinner line always fits on one row (the frame and a space take 2 columns): a frame
   * drawn over two rows is cleared only in part by the next one. A terminal made narrower than
   * a frame re-wraps it, and a row that tmux then pushes into the scrollback is out of reach of
   * any escape sequence, so the frames are kept short too (status-reporter.ts; issue 13 item 12).
   */
  private fit(text: string): string {
    const room = (this.out.columns() ?? 80) - 3;
    const chars = Array.from(text);
    return chars.length <= room ? text : `${chars.slice(0, Math.max(0, room - 1)).join('')}…`;
  }

  async stop(): Promise<void> {
    await this.spinnerLoading;
    this.spinner?.stop();
    this.spinner = undefined;
    this.spinnerLoading = undefined;
    this.lastText = '';
  }

  info(text: string): void {
    if (!this.quiet) this.write(text);
  }

  debug(text: string): void {
    if (this.verbose) this.write(this.color.dim(text));
  }

  warn(text: string): void {
    this.write(`${this.color.yellow('warning:')} ${text}`);
  }

  error(text: string, suggestion?: string): void {
    this.write(`${this.color.red('error:')} ${text}`);
    if (suggestion) this.write(`${this.color.dim('hint:')} ${suggestion}`);
  }
}
