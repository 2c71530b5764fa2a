/**
 * `flux-krea again <image|sidecar> [flags]`: make an image again from the request it carries.
 * Every generate flag works and wins over the recorded value (`--seed 9 -n 4` for variants;
 * a list or range makes a sweep around it). The reading is in run-again.ts.
 */
import { Argument, Command } from 'commander';
import { completeAs } from '../cli/completions/hints.js';
import { addFieldOptions, collectFlags } from '../cli/flags.js';
import { MODEL_FIELDS, RUN_FIELDS, SWEEP_FIELDS } from '../params/fields.js';
import type { Context } from './shared/context.js';
import { EXIT_CODE_HELP } from './shared/exit-codes.js';

const HELP = `
The request is read from the image's embedded metadata (--metadata embed) or its .json
sidecar (--metadata sidecar): prompt, every parameter and the seed. A flag given here wins
over the recorded value; anything else (environment, config files) does not, so that the same
request is sent. Recorded keys that cannot be restored are named. An image made with go_fast
on (Segmind's default) comes back close, not bit for bit. The defaults shown below apply
only to what the record lacks.

Examples:
  $ flux-krea again hero.png                      # the same request again
  $ flux-krea again hero.png --seed 9 -n 4        # variants of it
  $ flux-krea again hero.png.json --seed 1..4     # a sweep around it
  $ flux-krea again hero.png --prompt "the same, at night" --dry-run`;

export function againCommand(ctx: Context): Command {
  const cmd = new Command('again')
    .description('Make an image again from the record it carries')
    .addArgument(
      completeAs(
        new Argument('<image>', 'an image made with --metadata embed or sidecar, or its .json sidecar'),
        'file',
      ),
    )
    .option('--prompt <text>', 'Use this prompt instead of the recorded one');
  addFieldOptions(cmd, MODEL_FIELDS);
  addFieldOptions(cmd, RUN_FIELDS);
  addFieldOptions(cmd, SWEEP_FIELDS);
  cmd.addHelpText('after', `${HELP}\n\n${EXIT_CODE_HELP}`);
  cmd.action(async (image: string) => {
    const { runAgain } = await import('./run.js');
    const prompt = (cmd.opts() as { prompt?: string }).prompt;
    ctx.done?.(
      await runAgain(ctx, image, prompt, collectFlags(cmd, [...MODEL_FIELDS, ...RUN_FIELDS, ...SWEEP_FIELDS])),
    );
  });
  return cmd;
}
