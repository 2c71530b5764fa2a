/** Bodies of `completion` and the hidden `__complete`. */
import type { Command } from 'commander';
import { SHIMS } from '../cli/completions/shims.js';
import type { Shell } from '../cli/completions/shells.js';
import { complete, formatCompletion } from '../cli/completions/complete.js';
import { Journal } from '../store/journal.js';
import { stateDir } from '../util/paths.js';
import type { Context } from './shared/context.js';

export async function runCompletion(ctx: Context, shell: Shell): Promise<void> {
  ctx.stdout.write(SHIMS[shell]);
}

export async function runComplete(ctx: Context, program: Command, words: string[]): Promise<void> {
  const result = await complete({
    program,
    words: words.slice(0, -1),
    current: words.at(-1) ?? '',
    requestIds: () => requestIds(ctx),
  });
  ctx.stdout.write(formatCompletion(result));
}

/**
 * Runs on a TAB after `result` or `status`, so it stays quiet: a missing or damaged journal
 * offers nothing rather than a warning in the middle of the user's command line.
 */
async function requestIds(ctx: Context): Promise<string[]> {
  try {
    // Only plain ids: a shell must never see odd characters.
    return (await new Journal(stateDir(ctx.env)).list()).map((j) => j.id).filter((id) => /^[\w.-]{1,128}$/.test(id));
  } catch {
    return [];
  }
}
