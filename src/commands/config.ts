/** `flux-krea config set|get|unset|list|path`: saved defaults for flags. */
import { Argument, Command } from 'commander';
import type { Context } from './shared/context.js';
import { CONFIG_FIELDS } from '../params/fields.js';
import { completeAs } from '../cli/completions/hints.js';

const KEYS = CONFIG_FIELDS.map((f) => f.flag).join(', ');

const EXAMPLES = `
Examples:
  $ flux-krea config set format png
  $ flux-krea config set aspect 21:9
  $ flux-krea config set out ~/Pictures/flux
  $ flux-krea config get guidance
  $ flux-krea config unset format
  $ flux-krea config list --json

Keys (a flag name, its alias or the API name): ${KEYS}.

Precedence, highest first: a flag, the environment (FLUX_KREA_<FLAG>, e.g. FLUX_KREA_FORMAT),
a project file (flux-krea.config.json in the current directory or a parent, e.g.
{"format": "png"}), these saved defaults, the built-in default. \`--dry-run\` shows where each
value came from.`;

async function body() {
  return import('./run.js');
}

export function configCommand(ctx: Context): Command {
  const config = new Command('config')
    .description('Save defaults for flags in your user config, and see where each value comes from')
    .addHelpText('after', EXAMPLES);
  config
    .command('set')
    .description('Save a default; checked like the flag itself')
    .addArgument(completeAs(new Argument('<key>', 'a flag name such as format, aspect, out'), 'config-key'))
    .addArgument(completeAs(new Argument('<value>', 'the value, as you would give it to the flag'), 'config-value'))
    .addHelpText(
      'after',
      '\nExamples:\n  $ flux-krea config set format png\n  $ flux-krea config set go-fast false\n  $ flux-krea config set seed -42',
    )
    .action(async (key: string, value: string) => (await body()).runConfigSet(ctx, key, value));
  config
    .command('get')
    .description('Print the value a run would use (saved, project file, environment or built-in)')
    .addArgument(completeAs(new Argument('<key>', 'a flag name such as format'), 'config-key'))
    .addHelpText('after', '\nExamples:\n  $ flux-krea config get format\n  $ out=$(flux-krea config get out)')
    .action(async (key: string) => (await body()).runConfigGet(ctx, key));
  config
    .command('unset')
    .description('Remove a saved default')
    .addArgument(completeAs(new Argument('<key>', 'a flag name such as format'), 'config-key'))
    .addHelpText('after', '\nExample:\n  $ flux-krea config unset format')
    .action(async (key: string) => (await body()).runConfigUnset(ctx, key));
  config
    .command('list')
    .description('Every key with its value and where that value comes from')
    .option('--json', 'print a JSON object: settings keyed by flag name')
    .addHelpText(
      'after',
      '\nExamples:\n  $ flux-krea config list\n  $ flux-krea config list --json | jq -r .settings.format.value',
    )
    .action(async (opts: { json?: boolean }) => (await body()).runConfigList(ctx, Boolean(opts.json)));
  config
    .command('path')
    .description('Print the path of the user config file')
    .addHelpText('after', '\nExample:\n  $ cat "$(flux-krea config path)"')
    .action(async () => (await body()).runConfigPath(ctx));
  return config;
}
