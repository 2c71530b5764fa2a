/**
 * Completion hints that a command attaches to its own arguments, for the cases the argument's
 * name cannot tell (see `argumentHint` in model.ts for the names it understands by itself).
 * Kept apart from the generator so that command files can import it without loading it.
 */
import type { Argument } from 'commander';

export type ArgumentHintKind = 'file' | 'dir' | 'request-id' | 'config-key' | 'config-value';

const hints = new WeakMap<Argument, ArgumentHintKind>();

/** Marks an argument so that completions offer, e.g., config keys for it. */
export function completeAs<A extends Argument>(arg: A, kind: ArgumentHintKind): A {
  hints.set(arg, kind);
  return arg;
}

export function hintFor(arg: Argument): ArgumentHintKind | undefined {
  return hints.get(arg);
}

/** The hidden command the scripts run to list request ids (see commands/completion.ts). */
export const IDS_COMMAND_NAME = '__complete-ids';
