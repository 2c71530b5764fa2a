/**
 * Introspection of the zod schemas: turns each field into a `FieldSpec` (flag names, kind,
 * allowed values, range, default, and the checks a value must pass) that commander,
 * validation, completions and docs share.
 *
 * The CLI does not load zod to get these: MODEL_FIELDS and RUN_FIELDS come from
 * field-table.ts, which is `describe()` of the schemas written out as plain data, because
 * parsing zod's 760 kB costs about 20 ms on every start (issue 6). test/unit/field-table.test.ts
 * fails when the table and the schemas differ, and when `checkValue` and zod disagree on a value;
 * `npm run fields` rewrites the table.
 */
import type { z } from 'zod';
import type { FlagMeta } from './schema.js';
import { MODEL_FIELD_TABLE, RUN_FIELD_TABLE } from './field-table.js';
import { BATCH_OPTION_TABLE } from '../core/batch/option-table.js';

export type FieldKind = 'enum' | 'int' | 'number' | 'string' | 'boolean';

/** One check of the schema, in the order zod applies it. */
export type Check =
  | { type: 'min'; value: number }
  | { type: 'max'; value: number }
  | { type: 'safe-int' }
  | { type: 'min-length'; value: number }
  | { type: 'trim' };

export interface FieldSpec extends FlagMeta {
  /** The API / config name, e.g. `aspect_ratio`. */
  key: string;
  kind: FieldKind;
  values?: readonly string[];
  /** Bounds as shown to people (the seed's, the whole safe-integer range, are not shown). */
  min?: number;
  max?: number;
  default?: unknown;
  /** The schema accepts a missing value (the default then applies, if there is one). */
  optional: boolean;
  /** What the schema checks beyond the kind, in order; enforced by checkValue(). */
  checks: readonly Check[];
  configurable: boolean;
  group: 'model' | 'run';
}

interface Introspectable {
  def: { type: string; defaultValue?: unknown; innerType?: Introspectable; checks?: { _zod: { def: Record<string, unknown> } }[] };
  options?: readonly string[];
  minValue?: number | null;
  maxValue?: number | null;
  isInt?: boolean;
  meta(): Record<string, unknown> | undefined;
}

function unwrap(field: Introspectable): { inner: Introspectable; defaultValue?: unknown; optional: boolean } {
  let inner = field;
  let defaultValue: unknown;
  let optional = false;
  while (inner.def.type === 'default' || inner.def.type === 'optional') {
    optional = true;
    if (inner.def.type === 'default') defaultValue = inner.def.defaultValue;
    inner = inner.def.innerType as Introspectable;
  }
  return { inner, defaultValue, optional };
}

function kindOf(inner: Introspectable): FieldKind {
  switch (inner.def.type) {
    case 'enum': return 'enum';
    case 'number': return inner.isInt ? 'int' : 'number';
    case 'boolean': return 'boolean';
    case 'string': return 'string';
    default: throw new Error(`unsupported schema type ${inner.def.type}`);
  }
}

/**
 * The schema's checks as data. Anything this does not know is an error, not a silent gap:
 * checkValue() must enforce every check zod would.
 */
function checksOf(key: string, inner: Introspectable): Check[] {
  return (inner.def.checks ?? []).map((c): Check => {
    const d = c._zod.def;
    const unsupported = () => new Error(`${key}: the check ${JSON.stringify(d.check)} is not supported by checkValue(); teach fields.ts about it`);
    switch (d.check) {
      case 'greater_than':
        if (d.inclusive !== true) throw unsupported();
        return { type: 'min', value: d.value as number };
      case 'less_than':
        if (d.inclusive !== true) throw unsupported();
        return { type: 'max', value: d.value as number };
      case 'number_format':
        if (d.format !== 'safeint') throw unsupported();
        return { type: 'safe-int' };
      case 'min_length':
        return { type: 'min-length', value: d.minimum as number };
      case 'overwrite': {
        const tx = d.tx as (s: string) => string;
        if (tx('  a b  ') === 'a b' && tx('Ab') === 'Ab') return { type: 'trim' };
        throw unsupported();
      }
      default:
        throw unsupported();
    }
  });
}

export function describe(shape: Record<string, z.ZodType>, group: FieldSpec['group']): FieldSpec[] {
  return Object.entries(shape).map(([key, schema]) => {
    const field = schema as unknown as Introspectable;
    const meta = (field.meta() ?? {}) as unknown as FlagMeta & { configurable?: boolean };
    const { inner, defaultValue, optional } = unwrap(field);
    const kind = kindOf(inner);
    const spec: FieldSpec = {
      ...meta,
      key,
      kind,
      optional,
      checks: checksOf(key, inner),
      group,
      configurable: group === 'model' ? key !== 'prompt' && key !== 'image' : meta.configurable === true,
    };
    if (kind === 'enum') spec.values = inner.options;
    if (inner.minValue !== undefined && inner.minValue !== null && Number.isFinite(inner.minValue)) spec.min = inner.minValue;
    if (inner.maxValue !== undefined && inner.maxValue !== null && Number.isFinite(inner.maxValue)) spec.max = inner.maxValue;
    if (key === 'seed') { delete spec.min; delete spec.max; }
    if (defaultValue !== undefined) spec.default = defaultValue;
    return spec;
  });
}

/**
 * Checks a parsed value against a field as its zod schema would, and returns zod's output:
 * the default for a missing value, a trimmed string. Proven equal to zod's safeParse on a
 * table of edge values in test/unit/field-table.test.ts.
 */
export function checkValue(f: FieldSpec, value: unknown): { ok: true; value: unknown } | { ok: false } {
  if (value === undefined) return f.optional ? { ok: true, value: f.default } : { ok: false };
  let v = value;
  switch (f.kind) {
    case 'enum':
      if (typeof v !== 'string' || !f.values!.includes(v)) return { ok: false };
      break;
    case 'int':
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v)) return { ok: false };
      break;
    case 'boolean':
      if (typeof v !== 'boolean') return { ok: false };
      break;
    case 'string':
      if (typeof v !== 'string') return { ok: false };
      break;
  }
  for (const c of f.checks) {
    switch (c.type) {
      case 'min': if ((v as number) < c.value) return { ok: false }; break;
      case 'max': if ((v as number) > c.value) return { ok: false }; break;
      case 'safe-int': if (!Number.isSafeInteger(v)) return { ok: false }; break;
      case 'min-length': if ((v as string).length < c.value) return { ok: false }; break;
      case 'trim': v = (v as string).trim(); break;
    }
  }
  return { ok: true, value: v };
}

export const MODEL_FIELDS: readonly FieldSpec[] = MODEL_FIELD_TABLE;
export const RUN_FIELDS: readonly FieldSpec[] = RUN_FIELD_TABLE;
export const ALL_FIELDS: readonly FieldSpec[] = [...MODEL_FIELDS, ...RUN_FIELDS];

/** Fields that `config set` and project files may hold. */
// Batch's own settable options (--concurrency, --rpm) belong here too: a project file that sets
// them for CI must not be refused by the other commands.
export const CONFIG_FIELDS: readonly FieldSpec[] = [...ALL_FIELDS, ...BATCH_OPTION_TABLE].filter((f) => f.configurable);

export function fieldByKey(key: string): FieldSpec | undefined {
  return ALL_FIELDS.find((f) => f.key === key);
}

/** Finds a field by API name, flag name or alias (`aspect`, `aspect-ratio`, `aspect_ratio`). */
export function findField(name: string, fields: readonly FieldSpec[] = ALL_FIELDS): FieldSpec | undefined {
  const n = name.replace(/^--?/, '');
  return fields.find((f) => f.key === n || f.flag === n || f.short === n || f.aliases?.includes(n) || f.key === n.replace(/-/g, '_'));
}

/** Human description of what a field allows, for error messages and docs. */
export function allowedText(f: FieldSpec): string {
  switch (f.kind) {
    case 'enum': return `one of ${f.values!.join(', ')}`;
    case 'boolean': return 'true or false';
    case 'int':
      if (f.min !== undefined && f.max !== undefined) return `a whole number from ${f.min} to ${f.max}`;
      return 'a whole number';
    case 'number':
      if (f.min !== undefined && f.max !== undefined) return `a number from ${f.min} to ${f.max}`;
      if (f.min !== undefined) return `a number of at least ${f.min}`;
      return 'a number';
    case 'string': return 'a non-empty value';
  }
}

/** The flag as users type it, e.g. `--aspect`. */
export function flagName(f: FieldSpec): string {
  return `--${f.flag}`;
}

/** Environment variable that may set this field, e.g. FLUX_KREA_ASPECT. */
export function envName(f: FieldSpec): string {
  return `FLUX_KREA_${f.flag.replace(/-/g, '_').toUpperCase()}`;
}
