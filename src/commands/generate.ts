/**
 * `flux-krea [prompt] [options]`: the default command. Parses and presents; the work is in
 * core/generate.ts.
 */
import { Command } from 'commander';
import { MODEL_FIELDS, RUN_FIELDS, SWEEP_FIELDS } from '../params/fields.js';
import { addFieldOptions, collectFlags } from '../cli/flags.js';
import type { Context } from './shared/context.js';
import { EXIT_CODE_HELP } from './shared/exit-codes.js';

export const ENVIRONMENT_HELP = `Environment:
  SEGMIND_API_KEY       API key (wins over the one stored by \`auth login\`)
  SEGMIND_BASE_URL      API base URL (default https://api.segmind.com)
  SEGMIND_UPLOAD_URL    upload endpoint for local --image files
  FLUX_KREA_CONFIG_DIR  where the config and journal live (default: the user config dir)
  FLUX_KREA_STATE_DIR   where the job journal lives
  FLUX_KREA_<FLAG>      a default for a flag, e.g. FLUX_KREA_FORMAT=png (\`~\` is your home)
  NO_COLOR / FORCE_COLOR  turn colour off / on (the spinner stays)`;

export const GENERATE_EXAMPLES = `
Examples:
  $ flux-krea "a wool raccoon explorer holding a sign"
  $ flux-krea "a lighthouse at dusk" --aspect 21:9 -n 4 --format png -o art/
  $ echo "a red fox in snow" | flux-krea - --seed 1234 --json
  $ flux-krea "make it watercolor" --image photo.jpg --prompt-strength 0.6
  $ flux-krea "a cat" --dry-run          # show the exact request, send nothing
  $ flux-krea "a fox" --seed 1..4 --guidance 2,5 -n 1   # a sweep: 8 jobs, one per combination`;

/** In `generate --help` (the root's is kept short and points there). */
export const SWEEP_HELP_TEXT = `
Sweeps: a model flag given a comma list (--aspect 1:1,16:9, --format png,webp) or, for whole
numbers, a range (--seed 1..8) runs one job per combination, through the batch engine
(--concurrency, --rpm, --max-cost). Every value is checked before anything is sent; file names
show what varies; more than --max-jobs (16) jobs is refused; --dry-run prints every request;
--lock <file> makes a rerun skip what is done and pay nothing.`;

/**
 * Adds the prompt argument, every model, run and sweep flag, and the action to `cmd`. The
 * prompt's words are joined with spaces, as `echo` would: `flux-krea a red fox` means "a red
 * fox" (issue 13 item 2). `checkWords`, on the root command, refuses a single word that is close
 * to a command name before anything is sent (item 1).
 */
export function configureGenerate(
  cmd: Command,
  ctx: Context,
  o: { brief?: boolean; checkWords?: (words: string[]) => void } = {},
): Command {
  const { checkWords } = o;
  cmd.argument(
    '[prompt...]',
    'what to generate (the words are joined: quotes are optional); `-` or a pipe reads it from stdin',
  );
  addFieldOptions(cmd, MODEL_FIELDS, o);
  addFieldOptions(cmd, RUN_FIELDS, o);
  addFieldOptions(cmd, SWEEP_FIELDS, o);
  // The root's help stays short (issue 13 item 12): the sweep's options are in generate --help.
  if (o.brief) for (const f of SWEEP_FIELDS) cmd.options.find((x) => x.long === `--${f.flag}`)?.hideHelp();
  cmd.addHelpText('after', GENERATE_EXAMPLES);
  cmd.action(async (words: string[]) => {
    // After `--` every word is meant as a prompt, whatever it looks like.
    // (rawArgs: commander's copy of argv, set on the root command, which is where checkWords is given.)
    if (!(cmd as Command & { rawArgs?: string[] }).rawArgs?.includes('--')) checkWords?.(words);
    const { runGenerate } = await import('./run.js');
    ctx.done?.(
      await runGenerate(
        ctx,
        words.length ? words.join(' ') : undefined,
        collectFlags(cmd, [...MODEL_FIELDS, ...RUN_FIELDS, ...SWEEP_FIELDS]),
      ),
    );
  });
  return cmd;
}

export function generateCommand(ctx: Context): Command {
  const cmd = new Command('generate').description('Generate images from a prompt (what `flux-krea [prompt]` does)');
  configureGenerate(cmd, ctx);
  cmd.addHelpText('after', `${SWEEP_HELP_TEXT}\n\n${ENVIRONMENT_HELP}\n\n${EXIT_CODE_HELP}`);
  return cmd;
}
