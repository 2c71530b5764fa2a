/**
 * Manifest matrices and `{name}` templates: an entry with
 * `"matrix": {"animal": ["fox", "owl"], "seed": [1, 2]}` stands for one entry per combination
 * (a cell). A matrix key that names a model parameter (by its API or flag name) sets that
 * parameter; any other key is a variable that fills `{key}` placeholders in the entry's
 * prompt, name and out. `{{` and `}}` are literal braces. Templates are read only in entries
 * that have a matrix, so a plain prompt with braces means what it always meant.
 *
 * Expansion is deterministic (matrix keys in the order written, the first slowest), and a
 * cell's label sorts the keys, so reordering the matrix keeps every cell's identity (lock key).
 * Every problem names the entry's line and the field; entries.ts adds the cell.
 */
import { coerce, didYouMean } from '../../params/coerce.js';
import { findField, MODEL_FIELDS, type FieldSpec } from '../../params/fields.js';
import { isFluxKreaError } from '../../errors.js';
import { nameValue } from '../sweep.js';
import type { Problem } from './manifest.js';

/** One matrix is at most this many cells: beyond it a typo, not a plan. */
export const MAX_CELLS = 10_000;

/** Fields a placeholder may appear in. */
const TEMPLATED = ['prompt', 'name', 'out'] as const;

export interface MatrixCell {
  /** The entry as a plain one: the matrix's parameters set, placeholders filled. */
  value: Record<string, unknown>;
  /** `animal=fox seed=1`: keys sorted, the cell's stable identity in keys and messages. */
  label: string;
  /** What varies, for a file name: `fox-seed-1` (keys in the order written). */
  nameParts: string;
  /** The parameters alone (the variables are in the prompt), seed left out: `guidance-4`. */
  paramParts: string;
}

export interface Expansion {
  /** The entry without its matrix and with its templates unfilled: what every cell shares. */
  template: Record<string, unknown>;
  cells: MatrixCell[];
  /** Whether the entry's own name has placeholders (then each cell's name is its own). */
  templatedName: boolean;
}

interface Axis {
  /** The key as written. */
  key: string;
  field?: FieldSpec;
  values: unknown[];
}

const PLACEHOLDER = /\{\{|\}\}|\{([^{}]*)\}/g;
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** True when a raw manifest element carries a matrix. */
export function hasMatrix(value: unknown): value is Record<string, unknown> & { matrix: unknown } {
  return !!value && typeof value === 'object' && !Array.isArray(value) && 'matrix' in value;
}

/** The cells of an entry with a matrix, or undefined with every problem pushed. */
export function expandMatrix(
  line: number,
  entry: Record<string, unknown> & { matrix: unknown },
  problems: Problem[],
): Expansion | undefined {
  const before = problems.length;
  const { matrix, ...template } = entry;
  const axes = readAxes(line, matrix, template, problems);
  if (!axes) return undefined;
  const known = axes.map((a) => a.key);
  const used = new Set<string>();
  for (const f of TEMPLATED) {
    if (typeof template[f] !== 'string') continue;
    for (const name of placeholders(template[f])) {
      if (known.includes(name)) used.add(name);
      else {
        const hint = didYouMean(name, known);
        problems.push({
          line,
          field: f,
          message: `unknown placeholder {${name}}${hint ? `; did you mean {${hint}}?` : ''} (the matrix has ${known.join(', ')}; write {{ and }} for literal braces)`,
        });
      }
    }
  }
  for (const a of axes) {
    if (!a.field && !used.has(a.key)) {
      problems.push({
        line,
        field: `matrix.${a.key}`,
        message: `"${a.key}" is not a model parameter and no {${a.key}} placeholder uses it: every cell would ask for the same image`,
      });
    }
  }
  const count = axes.reduce((n, a) => n * a.values.length, 1);
  if (count > MAX_CELLS)
    problems.push({ line, field: 'matrix', message: `${count} cells; at most ${MAX_CELLS} are allowed in one entry` });
  if (problems.length > before) return undefined;

  const cells: MatrixCell[] = [];
  const index = axes.map(() => 0);
  for (;;) {
    const vars = Object.fromEntries(axes.map((a, i) => [a.key, a.values[index[i]!]]));
    const value: Record<string, unknown> = { ...template };
    for (const a of axes) if (a.field) value[a.key] = vars[a.key];
    for (const f of TEMPLATED) if (typeof template[f] === 'string') value[f] = fill(template[f], vars);
    cells.push({
      value,
      label: [...known]
        .sort()
        .map((k) => `${k}=${String(vars[k])}`)
        .join(' '),
      nameParts: axes
        .map((a) => (a.field ? `${a.field.flag}-${nameValue(vars[a.key])}` : slugPart(vars[a.key])))
        .join('-'),
      paramParts: axes
        .filter((a) => a.field && a.field.key !== 'seed')
        .map((a) => `${a.field!.flag}-${nameValue(vars[a.key])}`)
        .join('-'),
    });
    let i = axes.length - 1;
    while (i >= 0 && ++index[i]! === axes[i]!.values.length) index[i--] = 0;
    if (i < 0) break;
  }
  const templatedName = typeof template.name === 'string' && placeholders(template.name).length > 0;
  return { template, cells, templatedName };
}

function readAxes(
  line: number,
  matrix: unknown,
  template: Record<string, unknown>,
  problems: Problem[],
): Axis[] | undefined {
  if (!matrix || typeof matrix !== 'object' || Array.isArray(matrix) || Object.keys(matrix).length === 0) {
    problems.push({
      line,
      field: 'matrix',
      message: 'must be an object of lists, e.g. {"seed": [1, 2], "animal": ["fox", "owl"]}',
    });
    return undefined;
  }
  const axes: Axis[] = [];
  const byField = new Map<string, string>();
  for (const [key, list] of Object.entries(matrix as Record<string, unknown>)) {
    const where = `matrix.${key}`;
    const field = findField(key, MODEL_FIELDS);
    if (key === 'name' || key === 'out' || key === 'matrix' || field?.key === 'prompt') {
      // A template says the same more clearly, and keeps one prompt to name the entry by.
      const what = field?.key ?? key;
      problems.push({
        line,
        field: where,
        message: `"${what}" cannot vary in a matrix; use a {placeholder} in "${what}" instead, e.g. "${what}": "{variant}" with "variant" in the matrix`,
      });
      continue;
    }
    if (!field && !VARIABLE.test(key)) {
      problems.push({
        line,
        field: where,
        message: `a variable name is letters, digits and _ (not starting with a digit), e.g. "animal"`,
      });
      continue;
    }
    if (field) {
      const twice =
        byField.get(field.key) ?? Object.keys(template).find((k) => findField(k, MODEL_FIELDS)?.key === field.key);
      if (twice !== undefined) {
        problems.push({ line, field: where, message: `${field.key} is also given as "${twice}"; give it once` });
        continue;
      }
      byField.set(field.key, where);
    }
    if (!Array.isArray(list) || list.length === 0) {
      problems.push({ line, field: where, message: 'must be a non-empty list of values' });
      continue;
    }
    const values: unknown[] = [];
    const seen = new Set<string>();
    for (const [i, raw] of list.entries()) {
      const at = `${where}[${i}]`;
      if (raw === null || typeof raw === 'object') {
        problems.push({ line, field: at, message: 'must be a string, a number or true/false' });
        continue;
      }
      let v: unknown = raw;
      if (field) {
        try {
          v = coerce(field, raw, at);
        } catch (e) {
          if (!isFluxKreaError(e)) throw e;
          problems.push({ line, field: at, message: e.message });
          continue;
        }
      }
      const id = JSON.stringify(v);
      if (seen.has(id))
        problems.push({
          line,
          field: at,
          message: `${id} is already in the list; each value makes its own jobs, so list it once`,
        });
      seen.add(id);
      values.push(v);
    }
    axes.push({ key, field, values });
  }
  // Axes with problems are kept, so that the placeholders are checked too: every problem at once.
  return axes;
}

/** The placeholder names in a template, in order. */
export function placeholders(template: string): string[] {
  const names: string[] = [];
  for (const m of template.matchAll(PLACEHOLDER)) if (m[1] !== undefined) names.push(m[1].trim());
  return names;
}

/** The template with each `{name}` replaced by its value, `{{` and `}}` by braces. */
export function fill(template: string, vars: Record<string, unknown>): string {
  return template.replace(PLACEHOLDER, (all, name: string | undefined) => {
    if (name === undefined) return all[0]!;
    return String(vars[name.trim()]);
  });
}

function slugPart(v: unknown): string {
  const s = String(v)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s.slice(0, 24).replace(/-+$/, '') || 'x';
}
