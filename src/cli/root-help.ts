/**
 * The root `--help`, short (issue 13 item 12): usage, what flux-krea does, the commands first,
 * then the flags in their groups with one line each. Allowed values, defaults, the environment
 * and exit codes are in `flux-krea generate --help`, which the last line points to.
 */
import type { Command, Help } from 'commander';
import { MODEL_GROUP } from './flags.js';

export function formatRootHelp(cmd: Command, helper: Help): string {
  const termWidth = helper.padWidth(cmd, helper);
  const item = (term: string, description: string) => helper.formatItem(term, termWidth, description, helper);
  const out = [
    `Usage: ${helper.commandUsage(cmd)}`,
    '',
    helper.boxWrap(helper.commandDescription(cmd), helper.helpWidth ?? 80),
    '',
  ];
  const commands = helper
    .visibleCommands(cmd)
    .map((c) => item(helper.subcommandTerm(c), helper.subcommandDescription(c)));
  out.push(...helper.formatItemList('Commands:', commands, helper));
  const groups = helper.groupItems(
    [...cmd.options],
    helper.visibleOptions(cmd),
    (o) => o.helpGroupHeading ?? 'Options:',
  );
  // The model's flags first: they are what a newcomer looks for.
  const ordered = [...groups].sort(([a], [b]) => Number(b === MODEL_GROUP) - Number(a === MODEL_GROUP));
  ordered.forEach(([heading, options]) => {
    out.push(
      ...helper.formatItemList(
        heading,
        options.map((o) => item(helper.optionTerm(o), helper.optionDescription(o))),
        helper,
      ),
    );
  });
  return out.join('\n');
}

export const ROOT_HELP_FOOTER = `
Allowed values, defaults, environment variables and exit codes: flux-krea generate --help
A single word close to a command name is not a prompt: flux-krea generate <word>`;
