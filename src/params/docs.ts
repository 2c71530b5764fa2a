/**
 * The README's flag tables, generated from the schema (test/unit/readme.test.ts keeps the
 * README in step; `npm run docs` rewrites it). Not loaded by the CLI at run time.
 */
import { MODEL_FIELDS, RUN_FIELDS, SWEEP_FIELDS, allowedText, defaultText, envName, type FieldSpec } from './fields.js';

function flagCell(f: FieldSpec): string {
  const name = f.valueName ?? 'value';
  const value = f.kind === 'boolean' ? '' : f.bare === undefined ? ` <${name}>` : ` [${name}]`;
  const names = [`${f.short ? `-${f.short}, ` : ''}--${f.flag}${value}`];
  // The --no- form matters where a default can be on: built in, or saved in a config.
  if (f.kind === 'boolean' && (f.default === true || f.configurable)) names.push(`--no-${f.flag}`);
  for (const a of f.aliases ?? []) names.push(`--${a}`);
  return names.map((n) => `\`${n}\``).join(' ');
}

function defaultCell(f: FieldSpec): string {
  if (f.defaultText) return f.defaultText;
  const d = defaultText(f);
  return d === undefined ? '—' : `\`${d}\``;
}

/** Fields that can be saved as defaults can also come from the environment. */
function envCell(f: FieldSpec): string {
  return f.configurable ? `\`${envName(f)}\`` : '—';
}

function row(cells: string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
}

export function modelFlagsTable(): string {
  const lines = [
    row(['flag', 'API field', 'allowed', 'default', 'env', 'what it does']),
    row(['---', '---', '---', '---', '---', '---']),
  ];
  for (const f of MODEL_FIELDS) {
    if (f.key === 'prompt') continue;
    lines.push(row([flagCell(f), `\`${f.key}\``, allowedText(f), defaultCell(f), envCell(f), f.help]));
  }
  return lines.join('\n');
}

export function runFlagsTable(fields: readonly FieldSpec[] = RUN_FIELDS): string {
  const lines = [row(['flag', 'allowed', 'default', 'env', 'what it does']), row(['---', '---', '---', '---', '---'])];
  for (const f of fields) {
    lines.push(row([flagCell(f), f.kind === 'string' ? 'a path' : allowedText(f), defaultCell(f), envCell(f), f.help]));
  }
  return lines.join('\n');
}

export const DOC_BLOCKS: Record<string, () => string> = {
  'model-flags': modelFlagsTable,
  'run-flags': () => runFlagsTable(),
  'sweep-flags': () => runFlagsTable(SWEEP_FIELDS),
};

/** Replaces each `<!-- name:start -->…<!-- name:end -->` block of the README with its generated text. */
export function renderReadme(readme: string): string {
  let out = readme;
  for (const [name, make] of Object.entries(DOC_BLOCKS)) {
    const re = new RegExp(`(<!-- ${name}:start -->)[\\s\\S]*?(<!-- ${name}:end -->)`);
    if (!re.test(out)) throw new Error(`README.md has no ${name} block`);
    out = out.replace(re, (_m, a: string, b: string) => `${a}\n${make()}\n${b}`);
  }
  return out;
}
