/**
 * `flux-krea completion <bash|zsh|fish>` prints a shell's completion script; the hidden
 * `flux-krea __complete -- <words>` is what those scripts call on every TAB.
 */
import { Argument, Command } from 'commander';
import type { Context } from './shared/context.js';
import { SHELLS, type Shell } from '../cli/completions/shells.js';
import { COMPLETE_COMMAND_NAME } from '../cli/completions/hints.js';

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
    const { runCompletion } = await import('./run.js');
    await runCompletion(ctx, shell);
  });
  return cmd;
}

/**
 * Hidden: `__complete -- <word>... <current>` prints what fits the last word, one candidate a
 * line, then `:values`, `:file` or `:dir` (complete.ts). The `--` keeps commander from reading
 * the user's words as this command's options.
 */
export function completeCommand(ctx: Context): Command {
  const cmd = new Command(COMPLETE_COMMAND_NAME)
    .description('What fits the last word of a command line, for the shell completion scripts')
    .argument('[words...]', 'the words after the program name; the last is the one being typed')
    .helpOption(false);
  cmd.action(async (words: string[]) => {
    const { runComplete } = await import('./run.js');
    // The answer describes the whole program, not just this subcommand.
    let root: Command = cmd;
    while (root.parent) root = root.parent;
    await runComplete(ctx, root, words);
  });
  return cmd;
}
