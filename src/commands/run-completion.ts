/** Bodies of `completion` and the hidden `__complete-ids`. */
import type { Command } from 'commander';
import { renderCompletion, type Shell } from '../cli/completions/index.js';
import { Journal } from '../store/journal.js';
import { stateDir } from '../util/paths.js';
import type { Context } from './shared/context.js';

export async function runCompletion(ctx: Context, shell: Shell, program: Command): Promise<void> {
  ctx.stdout.write(renderCompletion(shell, program));
}

/**
 * Runs on every TAB after `result` or `status`, so it stays quiet: a missing or damaged journal
 * prints nothing rather than a warning in the middle of the user's command line.
 */
export async function runCompleteIds(ctx: Context): Promise<void> {
  const journal = new Journal(stateDir(ctx.env));
  let ids: string[] = [];
  try {
    // Only plain ids: the scripts read one per line, and a shell must never see odd characters.
    ids = (await journal.list()).map((j) => j.id).filter((id) => /^[\w.-]{1,128}$/.test(id));
  } catch {
    return;
  }
  if (ids.length) ctx.stdout.write(`${ids.join('\n')}\n`);
}
