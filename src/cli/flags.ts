/**
 * Commander options derived from the schema's FieldSpecs, and the way back: from parsed
 * options to raw flag values keyed by field, with the flag the user actually typed.
 */
import { Option, type Command } from 'commander';
import { allowedText, defaultText, type FieldSpec } from '../params/fields.js';
import type { FlagValues } from '../store/settings.js';
import { UsageError } from '../errors.js';

const fieldOfOption = new WeakMap<Option, FieldSpec>();

/** The schema field an option was made from (its aliases and --no- form included), for completions. */
export function optionField(o: Option): FieldSpec | undefined {
  return fieldOfOption.get(o);
}

/** Help line for a field: its text, what is allowed, the default. */
export function optionHelp(f: FieldSpec): string {
  const parts = [f.help];
  if (f.kind === 'enum' || f.kind === 'int' || (f.kind === 'number' && f.max !== undefined))
    parts.push(`(${allowedText(f)})`);
  const d = defaultText(f);
  if (d && f.kind !== 'boolean') parts.push(`[default: ${d}]`);
  return parts.join(' ');
}

/** Help group of a field's options: the model's own parameters apart from the CLI's (issue 13 item 12). */
export const MODEL_GROUP = 'Model flags (sent to Segmind):';

/** A help text's first clause: `Random seed; when omitted...` → `Random seed`. */
export function briefHelp(help: string): string {
  return help.split(/ \(|: |; /)[0]!;
}

/** `brief`: the help's first clause, without allowed values and default (the root `--help`, kept short). */
export function optionsFor(f: FieldSpec, o: { brief?: boolean } = {}): Option[] {
  let options: Option[];
  if (f.kind === 'boolean') {
    const main = new Option(`${f.short ? `-${f.short}, ` : ''}--${f.flag}`, o.brief ? briefHelp(f.help) : f.help);
    const negated = new Option(`--no-${f.flag}`, `Turn off --${f.flag}`);
    // Only a default-on switch needs its --no- form in the help; the others keep it for
    // overriding a saved default.
    if (f.default !== true || o.brief) negated.hideHelp();
    options = [main, negated];
  } else {
    // A flag that means something alone takes its value optionally: `--preview` is `--preview
    // always` (collectFlags; its help says so, shorter than commander's "(preset: ...)").
    const value = f.bare === undefined ? `<${f.valueName ?? 'value'}>` : `[${f.valueName ?? 'value'}]`;
    const main = new Option(
      `${f.short ? `-${f.short}, ` : ''}--${f.flag} ${value}`,
      o.brief ? briefHelp(f.help) : optionHelp(f),
    );
    const aliases = (f.aliases ?? []).map((a) => new Option(`--${a} ${value}`, `Same as --${f.flag}`).hideHelp());
    options = [main, ...aliases];
  }
  for (const opt of options) {
    fieldOfOption.set(opt, f);
    if (f.group === 'model') opt.helpGroup(MODEL_GROUP);
  }
  return options;
}

export function addFieldOptions(cmd: Command, fields: readonly FieldSpec[], o: { brief?: boolean } = {}): Command {
  for (const f of fields) {
    if (f.key === 'prompt') continue;
    for (const opt of optionsFor(f, o)) cmd.addOption(opt);
  }
  return cmd;
}

/** Where a shared flag means something else for one command: its help line there, by long flag. */
export function describeAs(cmd: Command, meanings: Record<string, string>): Command {
  for (const o of cmd.options) if (o.long && meanings[o.long]) o.description = meanings[o.long]!;
  return cmd;
}

/** Raw values the user typed, keyed by field; an alias and its flag given with different values is an error. */
export function collectFlags(cmd: Command, fields: readonly FieldSpec[]): FlagValues {
  const opts = cmd.opts() as Record<string, unknown>;
  const out: FlagValues = {};
  for (const f of fields) {
    if (f.key === 'prompt') continue;
    const names = [f.flag, ...(f.aliases ?? [])];
    for (const name of names) {
      const attr = new Option(`--${name}`).attributeName();
      let raw = opts[attr];
      if (raw === undefined || cmd.getOptionValueSource(attr) !== 'cli') continue;
      if (raw === true && f.bare !== undefined) raw = f.bare;
      const prev = out[f.key];
      if (prev && prev.raw !== raw) {
        throw new UsageError(
          `${prev.flag} and --${name} are the same setting and were given different values (${String(prev.raw)}, ${String(raw)}).`,
        );
      }
      out[f.key] = { raw, flag: raw === false && f.kind === 'boolean' ? `--no-${name}` : `--${name}` };
    }
  }
  return out;
}
