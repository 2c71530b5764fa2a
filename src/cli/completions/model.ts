/**
 * The shell-neutral description of the CLI that the bash, zsh and fish generators render. It is
 * read from the live commander tree (so a command added later, such as `batch`, is picked up by
 * regenerating) and from the schema's FieldSpecs (allowed values, file and directory hints).
 */
import { Help, type Argument, type Command, type Option } from 'commander';
import { ALL_FIELDS, CONFIG_FIELDS, findField, type FieldSpec } from '../../params/fields.js';
import { hintFor, IDS_COMMAND_NAME } from './hints.js';

export type ValueHint =
  | { kind: 'none' }
  | { kind: 'values'; values: readonly string[] }
  | { kind: 'file' }
  | { kind: 'dir' }
  | { kind: 'request-id' }
  | { kind: 'config-key' }
  | { kind: 'config-value' };

export interface OptionModel {
  /** What the user types: `-a`, `--aspect`. */
  names: string[];
  description: string;
  /** Absent for a switch; present when the option takes a value. */
  value?: ValueHint;
}

export interface ArgumentModel {
  name: string;
  variadic: boolean;
  hint: ValueHint;
}

export interface CommandModel {
  name: string;
  /** Words from the program name down, e.g. `flux-krea auth login`; the key the scripts switch on. */
  path: string;
  description: string;
  options: OptionModel[];
  args: ArgumentModel[];
  commands: CommandModel[];
}

export interface ConfigKeyModel {
  /** The name offered (the flag name) first, then every other spelling `config set` accepts. */
  names: string[];
  description: string;
  value: ValueHint;
}

export interface CompletionModel {
  program: string;
  root: CommandModel;
  /** Every command, root first, depth first; handy for scripts that switch on the path. */
  commands: CommandModel[];
  configKeys: ConfigKeyModel[];
  /** The hidden command that prints request ids from the journal, one per line. */
  idsCommand: string;
}

const NONE: ValueHint = { kind: 'none' };

/** The first sentence is enough in a completion menu. */
function short(text: string): string {
  const first = text.split(/(?<=[.;])\s|\s\(/)[0] ?? '';
  return first.replace(/[.;]$/, '').trim();
}

function fieldHint(f: FieldSpec): ValueHint {
  if (f.kind === 'enum') return { kind: 'values', values: f.values ?? [] };
  if (f.kind === 'boolean') return { kind: 'values', values: ['true', 'false'] };
  if (f.complete) return { kind: f.complete };
  return NONE;
}

/** Value names that say what they hold, for options and arguments that carry no other hint. */
function hintFromName(name: string): ValueHint {
  if (/^(request-?)?id$/.test(name)) return { kind: 'request-id' };
  if (/(^|-)(file|manifest|path)$/.test(name)) return { kind: 'file' };
  if (/(^|-)dir(ectory)?$/.test(name)) return { kind: 'dir' };
  return NONE;
}

function optionValueHint(o: Option): ValueHint {
  if (o.argChoices?.length) return { kind: 'values', values: o.argChoices };
  const field = o.long ? findField(o.long, ALL_FIELDS) : undefined;
  if (field && field.kind !== 'boolean') return fieldHint(field);
  const valueName = /[<[]([^>\]]+)[>\]]/.exec(o.flags)?.[1] ?? '';
  return hintFromName(valueName.replace(/\.\.\.$/, ''));
}

function optionModel(o: Option): OptionModel {
  const names = [o.short, o.long].filter((n): n is string => Boolean(n));
  const field = o.long && !o.negate ? findField(o.long, ALL_FIELDS) : undefined;
  const model: OptionModel = { names, description: short(field?.help ?? o.description) };
  if (o.required || o.optional) model.value = optionValueHint(o);
  return model;
}

function argumentModel(a: Argument): ArgumentModel {
  const explicit = hintFor(a);
  let hint: ValueHint;
  if (a.argChoices?.length) hint = { kind: 'values', values: a.argChoices };
  else if (explicit) hint = { kind: explicit };
  else hint = hintFromName(a.name());
  return { name: a.name(), variadic: a.variadic, hint };
}

function commandModel(cmd: Command, parentPath: string | undefined, help: Help): CommandModel {
  const path = parentPath ? `${parentPath} ${cmd.name()}` : cmd.name();
  // Every option, hidden ones included: aliases such as --aspect-ratio and the --no- forms are
  // hidden from --help but typed all the same. The help option is added by commander lazily.
  const options = [...cmd.options];
  for (const o of help.visibleOptions(cmd)) if (!options.includes(o)) options.push(o);
  return {
    name: cmd.name(),
    path,
    description: short(cmd.description()),
    options: options.map(optionModel),
    args: cmd.registeredArguments.map(argumentModel),
    // Hidden commands (the ids helper) stay out of completions, as out of --help.
    commands: help.visibleCommands(cmd).map((c) => commandModel(c, path, help)),
  };
}

function flatten(c: CommandModel): CommandModel[] {
  return [c, ...c.commands.flatMap(flatten)];
}

export function buildModel(program: Command): CompletionModel {
  const root = commandModel(program, undefined, new Help());
  const configKeys = CONFIG_FIELDS.map((f) => ({
    names: [...new Set([f.flag, f.key, ...(f.aliases ?? [])])],
    description: short(f.help),
    value: fieldHint(f),
  }));
  return { program: program.name(), root, commands: flatten(root), configKeys, idsCommand: IDS_COMMAND_NAME };
}

/** Every option name of a command that consumes the next word, for walking a command line. */
export function valueOptionNames(c: CommandModel): string[] {
  return c.options.filter((o) => o.value).flatMap((o) => o.names);
}
