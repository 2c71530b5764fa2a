/**
 * Completion hints that a command attaches to its own arguments: what the shell should offer
 * for them. Kept apart from complete.ts so that command files can mark their arguments without
 * loading the completion walk.
 */
import type { Argument } from 'commander';

export type ArgumentHintKind = 'file' | 'dir' | 'request-id' | 'config-key' | 'config-value';

const hints = new WeakMap<Argument, ArgumentHintKind>();

/** Marks an argument so that completions offer, e.g., request ids for it. */
export function completeAs<A extends Argument>(arg: A, kind: ArgumentHintKind): A {
  hints.set(arg, kind);
  return arg;
}

export function hintFor(arg: Argument): ArgumentHintKind | undefined {
  return hints.get(arg);
}

/** The hidden command every shell's script calls on TAB (see commands/completion.ts). */
export const COMPLETE_COMMAND_NAME = '__complete';
