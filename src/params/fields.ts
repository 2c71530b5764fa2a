/**
 * Introspection of the zod schemas: turns each field into a `FieldSpec` (flag names, kind,
 * allowed values, range, default) that commander, validation, completions and docs share.
 */
import type { z } from 'zod';
import { modelParamsSchema, type FlagMeta } from './schema.js';
import { runOptionsSchema } from './run-options.js';

export type FieldKind = 'enum' | 'int' | 'number' | 'string' | 'boolean';

export interface FieldSpec extends FlagMeta {
  /** The API / config name, e.g. `aspect_ratio`. */
  key: string;
  kind: FieldKind;
  values?: readonly string[];
  min?: number;
  max?: number;
  default?: unknown;
  configurable: boolean;
  /** The zod schema of this one field, used for validation. */
  schema: z.ZodType;
  group: 'model' | 'run';
}

interface Introspectable {
  def: { type: string; defaultValue?: unknown; innerType?: Introspectable };
  options?: readonly string[];
  minValue?: number | null;
  maxValue?: number | null;
  isInt?: boolean;
  meta(): Record<string, unknown> | undefined;
}

function unwrap(field: Introspectable): { inner: Introspectable; defaultValue?: unknown } {
  let inner = field;
  let defaultValue: unknown;
  while (inner.def.type === 'default' || inner.def.type === 'optional') {
    if (inner.def.type === 'default') defaultValue = inner.def.defaultValue;
    inner = inner.def.innerType as Introspectable;
  }
  return { inner, defaultValue };
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

export function describe(shape: Record<string, z.ZodType>, group: FieldSpec['group']): FieldSpec[] {
  return Object.entries(shape).map(([key, schema]) => {
    const field = schema as unknown as Introspectable;
    const meta = (field.meta() ?? {}) as unknown as FlagMeta & { configurable?: boolean };
    const { inner, defaultValue } = unwrap(field);
    const kind = kindOf(inner);
    const spec: FieldSpec = {
      ...meta,
      key,
      kind,
      schema,
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

export const MODEL_FIELDS: readonly FieldSpec[] = describe(modelParamsSchema.shape, 'model');
export const RUN_FIELDS: readonly FieldSpec[] = describe(runOptionsSchema.shape, 'run');
export const ALL_FIELDS: readonly FieldSpec[] = [...MODEL_FIELDS, ...RUN_FIELDS];

/** Fields that `config set` and project files may hold. */
export const CONFIG_FIELDS: readonly FieldSpec[] = ALL_FIELDS.filter((f) => f.configurable);

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
