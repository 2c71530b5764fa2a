/**
 * The one place where a failure becomes what people and scripts see, and an exit code: the
 * message and its next step (cli/hints.ts) on stderr, the request id of a job that may exist, and with
 * --json one error object on stdout. Errors are never amended once thrown: a command that
 * knows more than the error (the resume command with this run's -o) passes it as advice.
 */
import { isFluxKreaError } from '../../errors.js';
import { presentError } from '../../cli/hints.js';
import type { Context } from './context.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import type { Ui } from '../../cli/ui.js';

export interface Advice {
  /** Says what happened better than the error's own message. */
  message?: string;
  /** The next step, in place of the error's own. */
  suggestion?: string;
  /** Images saved before the failure, in place of the error's own list ([] when they are gone). */
  savedFiles?: readonly string[];
}

export function reportError(ctx: Context, ui: Ui, e: unknown, json: boolean, advice: Advice = {}): number {
  if (isFluxKreaError(e)) {
    const code = exitCodeFor(e.kind);
    const presented = presentError(e);
    const message = advice.message ?? presented.message;
    const files = advice.savedFiles ?? e.savedFiles ?? [];
    ui.error(message, advice.suggestion ?? presented.hint);
    if (e.requestId) ui.info(`request id: ${e.requestId}`);
    if (json) printError(ctx, e.kind, message, code, e.requestId, files);
    // Images saved before the failure are still results.
    else for (const f of files) ctx.stdout.write(`${f}\n`);
    return code;
  }
  const err = e as Error;
  ui.error(
    `Unexpected error: ${err?.message ?? String(e)}`,
    'This is a bug in flux-krea; please report it with the output of --verbose.',
  );
  if (ui.verbose && err?.stack) ui.debug(err.stack);
  if (json) printError(ctx, 'internal', err?.message ?? String(e), EXIT.error);
  return EXIT.error;
}

/** With --json, failures are JSON on stdout too, so a script parses one shape. */
export function printError(
  ctx: Context,
  kind: string,
  message: string,
  code: number,
  requestId?: string,
  files: readonly string[] = [],
): void {
  const body = {
    status: 'error',
    error: { kind, message, exit_code: code },
    request_id: requestId ?? null,
    ...(files.length ? { files } : {}),
  };
  ctx.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
}
