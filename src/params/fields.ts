/**
 * The zod schemas seen as flags: each field becomes a `FieldSpec` (flag names, kind, allowed
 * values, range, default, and the zod field itself) that commander options, validation,
 * completions, config keys and the README tables share.
 *
 * Read when the program runs, through zod's public API only: `.meta()` for the flag data and
 * `z.toJSONSchema()` for the kind, allowed values, bounds, default and optionality. Values are
 * checked by parsing them with the zod field (coerce.ts), so no second validator exists to
 * drift from the schema.
 */
import { z } from 'zod';
import { modelParamsSchema, type FlagMeta } from './schema.js';
import { runOptionsSchema } from './run-options.js';
import { batchOptionsSchema } from './batch-options.js';

export type FieldKind = 'enum' | 'int' | 'number' | 'string' | 'boolean';

export interface FieldSpec extends FlagMeta {
  /** The API / config name, e.g. `aspect_ratio`. */
  key: string;
  kind: FieldKind;
  values?: readonly string[];
  /** Bounds as shown to people; zod's safe-integer range, which `.int()` implies, is not shown. */
  min?: number;
  max?: number;
  default?: unknown;
  /** The schema accepts a missing value (the default then applies, if there is one). */
  optional: boolean;
  configurable: boolean;
  group: 'model' | 'run';
  /** The zod field: every value is checked by parsing it with this (coerce.ts). */
  schema: z.ZodType;
}

/** The parts of a JSON Schema property that a flag needs. */
interface JsonProperty {
  type?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  default?: unknown;
}

function kindOf(key: string, p: JsonProperty): FieldKind {
  if (p.enum) {
    if (!p.enum.every((v) => typeof v === 'string')) throw new Error(`${key}: only string enums can be flags`);
    return 'enum';
  }
  switch (p.type) {
    case 'integer': return 'int';
    case 'number': return 'number';
    case 'boolean': return 'boolean';
    case 'string': return 'string';
    // A field no flag can express is a mistake in the schema; say so on the first run of any test.
    default: throw new Error(`${key}: a ${JSON.stringify(p.type)} field cannot be a flag; use a string, number, integer, boolean or enum`);
  }
}

/** A bound worth showing: not the ±2⁵³−1 that `.int()` sets by itself. */
function shownBound(n: number | undefined): number | undefined {
  return n === undefined || Math.abs(n) >= Number.MAX_SAFE_INTEGER ? undefined : n;
}

/** The fields of a zod object, in their order, as flags. */
export function describeSchema(schema: z.ZodObject, group: FieldSpec['group']): FieldSpec[] {
  // io 'input': what a user may give, so defaulted fields count as optional.
  const json = z.toJSONSchema(schema, { io: 'input' }) as { properties: Record<string, JsonProperty>; required?: string[] };
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([key, field]) => {
    const meta = field.meta() as FlagMeta | undefined;
    if (!meta?.flag || !meta.help) throw new Error(`${key}: give it .meta({ flag, help }) in the schema`);
    const p = json.properties[key]!;
    const spec: FieldSpec = {
      ...meta,
      key,
      kind: kindOf(key, p),
      optional: !(json.required ?? []).includes(key),
      configurable: meta.configurable ?? group === 'model',
      group,
      schema: field,
    };
    if (spec.kind === 'enum') spec.values = p.enum as string[];
    const min = shownBound(p.minimum);
    const max = shownBound(p.maximum);
    if (min !== undefined) spec.min = min;
    if (max !== undefined) spec.max = max;
    if (p.default !== undefined) spec.default = p.default;
    return spec;
  });
}

export const MODEL_FIELDS: readonly FieldSpec[] = describeSchema(modelParamsSchema, 'model');
export const RUN_FIELDS: readonly FieldSpec[] = describeSchema(runOptionsSchema, 'run');
/** The batch command's own options (--concurrency, --rpm, --lock...). */
export const BATCH_FIELDS: readonly FieldSpec[] = describeSchema(batchOptionsSchema, 'run');
export const ALL_FIELDS: readonly FieldSpec[] = [...MODEL_FIELDS, ...RUN_FIELDS];

/** Fields that `config set` and project files may hold. */
// Batch's own settable options (--concurrency, --rpm) belong here too: a project file that sets
// them for CI must not be refused by the other commands.
export const CONFIG_FIELDS: readonly FieldSpec[] = [...ALL_FIELDS, ...BATCH_FIELDS].filter((f) => f.configurable);

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
      if (f.min !== undefined) return `a whole number of at least ${f.min}`;
      return 'a whole number';
    case 'number':
      if (f.min !== undefined && f.max !== undefined) return `a number from ${f.min} to ${f.max}`;
      if (f.min !== undefined) return `a number of at least ${f.min}`;
      return 'a number';
    case 'string': return 'a non-empty value';
  }
}

/** The default as help and docs show it: the schema's, or the meta's words for one it cannot hold. */
export function defaultText(f: FieldSpec): string | undefined {
  if (f.defaultText) return f.defaultText;
  return f.default === undefined ? undefined : String(f.default);
}

/** The flag as users type it, e.g. `--aspect`. */
export function flagName(f: FieldSpec): string {
  return `--${f.flag}`;
}

/** Environment variable that may set this field, e.g. FLUX_KREA_ASPECT. */
export function envName(f: FieldSpec): string {
  return `FLUX_KREA_${f.flag.replace(/-/g, '_').toUpperCase()}`;
}
