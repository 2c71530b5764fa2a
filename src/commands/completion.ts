/**
 * `flux-krea completion <bash|zsh|fish>` prints a completion script made from this very
 * command tree; `flux-krea __complete-ids` (hidden) feeds request ids to those scripts.
 */
import { Argument, Command } from 'commander';
import type { Context } from './shared/context.js';
import { SHELLS, type Shell } from '../cli/completions/shells.js';
import { IDS_COMMAND_NAME } from '../cli/completions/hints.js';

const EXAMPLES = `
Examples:
  $ source <(flux-krea completion bash)        # try it in the current shell
  $ flux-krea completion bash > ~/.local/share/bash-completion/completions/flux-krea
  $ flux-krea completion zsh > ~/.zfunc/_flux-krea   # a directory in $fpath, before compinit
  $ flux-krea completion fish > ~/.config/fish/completions/flux-krea.fish

The same scripts ship in the package's completions/ folder.`;

export function completionCommand(ctx: Context): Command {
  const cmd = new Command('completion')
    .description('Print the shell completion script for bash, zsh or fish')
    .addArgument(new Argument('<shell>', 'the shell to complete in').choices(SHELLS))
    .addHelpText('after', EXAMPLES);
  cmd.action(async (shell: Shell) => {
    const { runCompletion } = await import('./run-completion.js');
    // The script describes the whole program, not just this subcommand.
    let root: Command = cmd;
    while (root.parent) root = root.parent;
    await runCompletion(ctx, shell, root);
  });
  return cmd;
}

/** Hidden: prints request ids from the journal, newest first, one per line. */
export function completeIdsCommand(ctx: Context): Command {
  return new Command(IDS_COMMAND_NAME)
    .description('Request ids from the job journal, for shell completion')
    .action(async () => {
      const { runCompleteIds } = await import('./run-completion.js');
      await runCompleteIds(ctx);
    });
}
