/**
 * Subcommands whose options are added only when they may run. `generate` and `batch` repeat
 * every model flag, and registering those ~70 options is about a third of what `--help` and a
 * dry run cost beyond Node's own start (issue 6), for commands that those paths never run.
 * main.ts adds them whenever the command line names any subcommand (or `help`), so a command
 * that runs always has all of its options; only the root's list of commands is drawn from
 * the incomplete tree, and `subcommandTerm` below keeps that list as it would be.
 */
import { Help, type Command } from 'commander';

const pending = new WeakMap<Command, () => void>();

/** `add` gives `cmd` its options; it runs once, from `completeTree`. */
export function deferOptions(cmd: Command, add: () => void): Command {
  pending.set(cmd, add);
  return cmd;
}

/** Adds every deferred option in the tree under `cmd`; returns `cmd`. */
export function completeTree(cmd: Command): Command {
  const add = pending.get(cmd);
  if (add) {
    pending.delete(cmd);
    add();
  }
  for (const sub of cmd.commands) completeTree(sub);
  return cmd;
}

/** commander's "name [options] <args>" for a subcommand, counting the options it will have. */
export function subcommandTerm(this: void, cmd: Command): string {
  const term = Help.prototype.subcommandTerm.call(new Help(), cmd);
  if (!pending.has(cmd) || cmd.options.length) return term;
  const alias = cmd.aliases()[0];
  const head = alias ? `${cmd.name()}|${alias}` : cmd.name();
  return `${head} [options]${term.slice(head.length)}`;
}
