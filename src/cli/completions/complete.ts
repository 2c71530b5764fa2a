/**
 * The one place that answers a TAB, for every shell (as cobra and npm do): given the words of
 * the command line before the cursor and the word being typed, walk the live commander tree the
 * way commander parses it and say what fits. The scripts in completions/ only pass the words in
 * and hand the answer to their shell.
 *
 * The walk: an option that takes a value swallows the next word; the first free word may name
 * a subcommand; `--` ends the options. What fits comes from the schema (allowed values, file and
 * directory hints, config keys) through the options' fields (flags.ts), and from the hints that
 * commands put on their arguments (hints.ts).
 */
import { Help, type Argument, type Command, type Option } from 'commander';
import { CONFIG_FIELDS, findField, type FieldSpec } from '../../params/fields.js';
import { optionField } from '../flags.js';
import { hintFor } from './hints.js';

export interface Candidate {
  value: string;
  description?: string;
}

/** What the shell should offer: these words, or its own file or directory names. */
export type Completion =
  | { kind: 'values'; candidates: Candidate[] }
  | { kind: 'file' }
  | { kind: 'dir' };

type Hint = Completion | { kind: 'none' | 'request-id' | 'config-key' | 'config-value' };

export interface CompleteInput {
  program: Command;
  /** The words after the program name, before the one being typed. */
  words: readonly string[];
  /** The word being typed ('' right after a space). */
  current: string;
  /** Request ids of the journal, newest first; read only when an argument wants them. */
  requestIds(): Promise<string[]>;
}

const help = new Help();
const NONE: Hint = { kind: 'none' };

/** The first sentence is enough in a completion menu. */
function short(text: string): string {
  const first = text.split(/(?<=[.;])\s|\s\(/)[0] ?? '';
  return first.replace(/[.;]$/, '').trim();
}

const values = (items: readonly string[]): Hint => ({ kind: 'values', candidates: items.map((value) => ({ value })) });

function fieldHint(f: FieldSpec): Hint {
  if (f.kind === 'enum') return values(f.values ?? []);
  if (f.kind === 'boolean') return values(['true', 'false']);
  return f.complete ? { kind: f.complete } : NONE;
}

const takesValue = (o: Option) => o.required || o.optional;

function optionHint(o: Option): Hint {
  const field = optionField(o);
  if (field) return fieldHint(field);
  return o.argChoices?.length ? values(o.argChoices) : NONE;
}

/** Every option the user may type, hidden aliases and --no- forms included, and commander's help. */
function allOptions(cmd: Command): Option[] {
  const options = [...cmd.options];
  for (const o of help.visibleOptions(cmd)) if (!options.includes(o)) options.push(o);
  return options;
}

function findOption(cmd: Command, name: string): Option | undefined {
  return allOptions(cmd).find((o) => o.short === name || o.long === name);
}

function subcommand(cmd: Command, name: string): Command | undefined {
  return cmd.commands.find((c) => c.name() === name || c.aliases().includes(name));
}

function optionCandidates(cmd: Command): Candidate[] {
  return allOptions(cmd).flatMap((o) => {
    const field = o.negate ? undefined : optionField(o);
    const description = short(field?.help ?? o.description);
    return [o.short, o.long].filter((n): n is string => Boolean(n)).map((value) => ({ value, description }));
  });
}

function argumentHint(a: Argument | undefined): Hint {
  if (!a) return NONE;
  if (a.argChoices?.length) return values(a.argChoices);
  const kind = hintFor(a);
  return kind ? { kind } : NONE;
}

export async function complete(input: CompleteInput): Promise<Completion> {
  const { program, words } = input;
  let cmd = program;
  const positionals: string[] = [];
  let endOptions = false;
  let valueOf: Option | undefined;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (!endOptions && w.length > 1 && w.startsWith('-')) {
      if (w === '--') endOptions = true;
      else if (!w.includes('=')) {
        const o = findOption(cmd, w);
        if (o && takesValue(o)) {
          if (i + 1 === words.length) valueOf = o;
          else i++;
        }
      }
    } else {
      const sub = positionals.length === 0 ? subcommand(cmd, w) : undefined;
      if (sub) cmd = sub;
      else positionals.push(w);
    }
  }

  let current = input.current;
  // `--aspect=16` completes to `--aspect=16:9`: the candidates replace the whole word.
  let prefix = '';
  let hint: Hint;
  if (valueOf) {
    hint = optionHint(valueOf);
  } else if (!endOptions && /^--[^=]+=/.test(current)) {
    const at = current.indexOf('=');
    const o = findOption(cmd, current.slice(0, at));
    prefix = current.slice(0, at + 1);
    current = current.slice(at + 1);
    hint = o && takesValue(o) ? optionHint(o) : NONE;
  } else if (!endOptions && current.startsWith('-')) {
    hint = { kind: 'values', candidates: optionCandidates(cmd) };
  } else if (positionals.length === 0 && help.visibleCommands(cmd).length) {
    hint = { kind: 'values', candidates: help.visibleCommands(cmd).map((c) => ({ value: c.name(), description: short(c.description()) })) };
  } else {
    const args = cmd.registeredArguments;
    const last = args.at(-1);
    hint = argumentHint(args[positionals.length] ?? (last?.variadic ? last : undefined));
  }

  if (hint.kind === 'request-id') hint = values(await input.requestIds().catch(() => []));
  else if (hint.kind === 'config-key') hint = { kind: 'values', candidates: CONFIG_FIELDS.map((f) => ({ value: f.flag, description: short(f.help) })) };
  else if (hint.kind === 'config-value') {
    const field = positionals[0] === undefined ? undefined : findField(positionals[0], CONFIG_FIELDS);
    hint = field ? fieldHint(field) : NONE;
  }

  switch (hint.kind) {
    case 'file':
    case 'dir':
      return { kind: hint.kind };
    case 'values':
      return {
        kind: 'values',
        candidates: hint.candidates
          .filter((c) => c.value.startsWith(current))
          .map((c) => ({ ...c, value: prefix + c.value })),
      };
    default:
      return { kind: 'values', candidates: [] };
  }
}

/**
 * The answer as the scripts read it: one candidate a line, `value` or `value<TAB>description`,
 * then a last line that says `:values`, or `:file` / `:dir` for the shell's own file names.
 * Nothing that could break a line or a shell word gets through.
 */
export function formatCompletion(c: Completion): string {
  if (c.kind !== 'values') return `:${c.kind}\n`;
  const lines = c.candidates
    .filter((x) => x.value && !/[\p{Cc}]/u.test(x.value))
    .map((x) => {
      const description = x.description?.replace(/[\p{Cc}\s]+/gu, ' ').trim();
      return description ? `${x.value}\t${description}` : x.value;
    });
  return `${[...lines, ':values'].join('\n')}\n`;
}
