/**
 * From raw manifest elements to checked, fully resolved entries: each value goes through the
 * same schema and `coerce()` as the flags, command-line values are defaults that an entry's
 * own values override, and every problem is collected (not just the first) with its line.
 *
 * Identity: an entry's key is its `name`, or else a slug of the prompt plus a hash of the
 * entry's own fields, so that a key survives reordering and only a real change gives a new
 * one. Identical unnamed entries are numbered (`#2`, `#3`) and get different seeds: writing a
 * prompt twice asks for two images. An entry without a seed (and no --seed default) gets one
 * derived from that same content, so reruns ask for exactly the same image.
 *
 * An entry with a `matrix` (matrix.ts) is one entry per cell: key `<base>[animal=fox seed=1]`
 * where the base is as above but from the template, so each cell is an ordinary lock entry;
 * the cells share one derived seed unless the matrix varies it, so that they compare.
 */
import { isAbsolute, resolve } from 'node:path';
import { isFluxKreaError, UsageError } from '../../errors.js';
import { coerce, didYouMean } from '../../params/coerce.js';
import { findField, MODEL_FIELDS, RUN_FIELDS, type FieldSpec } from '../../params/fields.js';
import type { ResolvedParams } from '../../params/schema.js';
import { slugify } from '../../output/naming.js';
import { checkLocalImage } from '../params.js';
import { derivedSeed, sha256, stableStringify } from '../../util/hash.js';
import type { Problem, RawEntry } from './manifest.js';
import { expandMatrix, hasMatrix } from './matrix.js';

export interface BatchEntry {
  line: number;
  key: string;
  name?: string;
  /** The entry's own `out`, relative to the -o directory (or absolute). */
  out?: string;
  params: ResolvedParams;
  seedSource: 'entry' | 'default' | 'derived';
  /** Absolute path of a local input image (uploaded before submitting). */
  localImage?: string;
  /** The matrix cell this entry is (`animal=fox seed=1`), when its manifest entry has a matrix. */
  cell?: string;
}

export interface ResolveInput {
  raw: RawEntry[];
  /** Model parameter values from flags, environment and config files (no prompt). */
  defaults: Record<string, unknown>;
  /** Relative `image` paths in the manifest are relative to the manifest itself. */
  manifestDir: string;
}

export interface Resolution {
  entries: BatchEntry[];
  problems: Problem[];
  warnings: Problem[];
}

const EXTRA_KEYS = ['name', 'out'];
// `matrix` is read by matrix.ts before an entry gets here; listed for the did-you-mean.
const KNOWN_NAMES = [...MODEL_FIELDS.flatMap((f) => [f.key, f.flag, ...(f.aliases ?? [])]), ...EXTRA_KEYS, 'matrix'];

/** What a matrix cell brings to its entry (matrix.ts): its identity, and what it shares with its siblings. */
interface CellContext {
  key: string;
  label: string;
  /** The template's content: the cells of one entry share a derived seed, so that they compare. */
  seedContent: string;
  /** The cell's file stem, once its seed is known. */
  name: (params: Record<string, unknown>) => string;
}

export async function resolveEntries(input: ResolveInput): Promise<Resolution> {
  const r: Resolution = { entries: [], problems: [], warnings: [] };
  const seen = new Map<string, number>();
  const names = new Map<string, number>();
  for (const { line, value } of input.raw) {
    if (!hasMatrix(value)) {
      await addEntry(line, value, input, r, seen, names);
      continue;
    }
    const before = r.problems.length;
    const expansion = expandMatrix(line, value, r.problems);
    // What every cell shares is checked once, not once per cell.
    const template = expansion && checkEntry(line, expansion.template, r.problems);
    if (!expansion || !template || r.problems.length > before) continue;
    const { prompt, name, out: _out, ...model } = template.values;
    // The template (placeholders unfilled, matrix left out): adding a value to the matrix
    // changes no existing cell's key or seed, so it costs only the new cells.
    const content = stableStringify({ prompt, ...model });
    const base = (name as string | undefined) ?? `${slugify(prompt as string, 40)}-${sha256(content).slice(0, 8)}`;
    const occurrence = (seen.get(base) ?? 0) + 1;
    seen.set(base, occurrence);
    const key = occurrence === 1 ? base : `${base}#${occurrence}`;
    for (const cell of expansion.cells) {
      const cellBefore = r.problems.length;
      await addEntry(line, cell.value, input, r, seen, names, {
        key: `${key}[${cell.label}]`,
        label: cell.label,
        seedContent: occurrence === 1 ? content : `${content}#${occurrence}`,
        name: (params) => {
          if (expansion.templatedName) return params.name as string;
          if (name !== undefined) return `${name as string}-${cell.nameParts}`;
          return [slugify(params.prompt as string, 40), cell.paramParts, String(params.seed)].filter(Boolean).join('-');
        },
      });
      for (const p of r.problems.slice(cellBefore)) p.cell = cell.label;
    }
  }
  return r;
}

async function addEntry(
  line: number,
  value: unknown,
  input: ResolveInput,
  r: Resolution,
  seen: Map<string, number>,
  names: Map<string, number>,
  cell?: CellContext,
): Promise<void> {
  const { problems, warnings } = r;
  const before = problems.length;
  const own = checkEntry(line, value, problems);
  if (!own || problems.length > before) return;
  const { prompt, name: givenName, out, ...model } = own.values;
  const content = stableStringify({ prompt, ...model });
  let key: string;
  let occurrence = 1;
  if (cell) key = cell.key;
  else {
    const base = (givenName as string | undefined) ?? `${slugify(prompt as string, 40)}-${sha256(content).slice(0, 8)}`;
    occurrence = (seen.get(base) ?? 0) + 1;
    seen.set(base, occurrence);
    key = occurrence === 1 ? base : `${base}#${occurrence}`;
  }
  const params = { ...input.defaults, ...model, prompt } as Record<string, unknown>;
  let seedSource: BatchEntry['seedSource'] = model.seed !== undefined ? 'entry' : 'default';
  // -1 is Segmind's "random": an entry gets its own real seed instead (issue 11).
  if (params.seed === undefined || params.seed === -1) {
    params.seed = derivedSeed(cell?.seedContent ?? (occurrence === 1 ? content : `${content}#${occurrence}`));
    seedSource = 'derived';
  }
  const name = cell ? cell.name({ ...params, name: givenName }) : (givenName as string | undefined);
  if (name !== undefined) {
    const other = names.get(name);
    if (other !== undefined) {
      problems.push({
        line,
        field: 'name',
        message: `name ${JSON.stringify(name)} is already used on line ${other}; names must be unique`,
      });
      return;
    }
    names.set(name, line);
  }
  const entry: BatchEntry = { line, key, params: params as ResolvedParams, seedSource };
  if (name !== undefined) entry.name = name;
  if (cell) entry.cell = cell.label;
  if (out !== undefined) entry.out = out as string;
  if (typeof params.image === 'string' && !/^https?:\/\//i.test(params.image)) {
    entry.localImage = isAbsolute(params.image) ? params.image : resolve(input.manifestDir, params.image);
    const problem = await checkLocalImage(entry.localImage);
    if (problem) {
      problems.push({
        line,
        field: own.names.image ?? 'image',
        message: `${JSON.stringify(params.image)} ${problem} (relative paths are relative to the manifest)`,
      });
      return;
    }
  }
  if (params.seed === 0)
    warnings.push({
      line,
      field: 'seed',
      message: 'seed 0 asks the server for a random seed: this entry cannot be reproduced',
    });
  if (params.image === undefined && params.prompt_strength !== undefined && model.prompt_strength !== undefined) {
    warnings.push({
      line,
      field: 'prompt_strength',
      message: 'only applies with an image; it is sent but the model ignores it',
    });
  }
  r.entries.push(entry);
}

interface Checked {
  /** Values keyed by API name (plus name/out). */
  values: Record<string, unknown>;
  /** The spelling the manifest used for each key, for messages. */
  names: Record<string, string>;
}

function checkEntry(line: number, value: unknown, problems: Problem[]): Checked | undefined {
  const obj = typeof value === 'string' ? { prompt: value } : value;
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
    problems.push({ line, message: 'an entry must be an object with a "prompt", or a prompt string' });
    return undefined;
  }
  const values: Record<string, unknown> = {};
  const names: Record<string, string> = {};
  for (const [written, raw] of Object.entries(obj as Record<string, unknown>)) {
    if (raw === null || raw === undefined) continue;
    const field = EXTRA_KEYS.includes(written) ? undefined : findField(written, MODEL_FIELDS);
    const key = field?.key ?? (EXTRA_KEYS.includes(written) ? written : undefined);
    if (!key) {
      problems.push({ line, field: written, message: unknownMessage(written) });
      continue;
    }
    if (names[key] !== undefined) {
      problems.push({
        line,
        field: written,
        message: `${written} and ${names[key]} are the same setting; give it once`,
      });
      continue;
    }
    names[key] = written;
    try {
      values[key] = field ? coerce(field, raw, written) : checkExtra(written, raw);
    } catch (e) {
      if (!isFluxKreaError(e)) throw e;
      problems.push({ line, field: written, message: e.message });
    }
  }
  if (values.prompt === undefined && !problems.some((p) => p.line === line && p.field === 'prompt')) {
    problems.push({ line, field: 'prompt', message: 'prompt is missing' });
  }
  return { values, names };
}

function checkExtra(key: string, raw: unknown): string {
  if (typeof raw !== 'string' || !raw.trim()) throw new UsageError(`${key}: must be a non-empty string`);
  const v = raw.trim();
  // Both become paths and are printed: an escape sequence would reach the terminal (a manifest
  // arrives in pull requests). The value is not echoed, since it would carry it too.
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  const control = /[\u0000-\u001f\u007f-\u009f]/.exec(v);
  if (control) {
    throw new UsageError(
      `${key}: has a control character (U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}); use printable characters only`,
    );
  }
  // A name is a file stem: directories belong in `out`, and nothing may climb out of it.
  if (key === 'name' && (/[/\\\0]/.test(v) || v === '.' || v === '..')) {
    throw new UsageError(
      `name: ${JSON.stringify(raw)} must be a file name without / or \\ (use "out" for a directory)`,
    );
  }
  return v;
}

function unknownMessage(written: string): string {
  const run: FieldSpec | undefined = findField(written, RUN_FIELDS);
  if (run) return `${written} is a command-line option (--${run.flag}), not a per-entry setting`;
  const hint = didYouMean(written, KNOWN_NAMES);
  return `unknown field ${JSON.stringify(written)}${hint ? `; did you mean ${hint}?` : ''} (allowed: prompt, name, out, matrix and the model parameters)`;
}
