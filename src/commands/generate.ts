/**
 * `flux-krea [prompt] [options]`: the default command. Parses and presents; the work is in
 * core/generate.ts.
 */
import { Command } from 'commander';
import { MODEL_FIELDS, RUN_FIELDS } from '../params/fields.js';
import { addFieldOptions, collectFlags } from '../cli/flags.js';
import type { Context } from './shared/context.js';
import { EXIT_CODE_HELP } from './shared/exit-codes.js';

export const GENERATE_EXAMPLES = `
Examples:
  $ flux-krea "a wool raccoon explorer holding a sign"
  $ flux-krea "a lighthouse at dusk" --aspect 21:9 -n 4 --format png -o art/
  $ echo "a red fox in snow" | flux-krea - --seed 1234 --json
  $ flux-krea "make it watercolor" --image photo.jpg --prompt-strength 0.6
  $ flux-krea "a cat" --dry-run          # show the exact request, send nothing`;

/** Adds the prompt argument, every model and run flag, and the action to `cmd`. */
export function configureGenerate(cmd: Command, ctx: Context): Command {
  cmd.argument('[prompt]', 'what to generate; `-` or a pipe reads it from stdin');
  addFieldOptions(cmd, MODEL_FIELDS);
  addFieldOptions(cmd, RUN_FIELDS);
  cmd.addHelpText('after', GENERATE_EXAMPLES);
  cmd.action(async (prompt: string | undefined) => {
    const { runGenerate } = await import('./run-generate.js');
    ctx.done?.(await runGenerate(ctx, prompt, collectFlags(cmd, [...MODEL_FIELDS, ...RUN_FIELDS])));
  });
  return cmd;
}

export function generateCommand(ctx: Context): Command {
  const cmd = new Command('generate').description('Generate images from a prompt (what `flux-krea [prompt]` does)');
  configureGenerate(cmd, ctx);
  cmd.addHelpText('after', `\n${EXIT_CODE_HELP}`);
  return cmd;
}
