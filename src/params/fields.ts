/**
 * The zod schemas seen as flags: each field becomes a `FieldSpec` (flag names, kind, allowed
 * values, range, default, and the zod field itself) that commander options, validation,
 * completions, config keys and the README tables share.
 *
 * Read when the program runs, through zod's public API only (see describeSchema). Values are
 * checked by parsing them with the zod field (coerce.ts), so no second validator exists to
 * drift from the schema.
 */
import * as z from 'zod';
import { modelParamsSchema, type FlagMeta } from './schema.js';
import { runOptionsSchema } from './run-options.js';
import { batchOptionsSchema } from './batch-options.js';
import { SWEEP_HELP, sweepOptionsSchema } from './sweep-options.js';

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

/** The field under its `.optional()` and `.default()` wrappers. */
function innerType(field: z.ZodType): z.ZodType {
  let inner = field;
  while (inner instanceof z.ZodOptional || inner instanceof z.ZodDefault) inner = inner.unwrap() as z.ZodType;
  return inner;
}

function kindOf(key: string, inner: z.ZodType): FieldKind {
  if (inner instanceof z.ZodEnum) {
    if (!inner.options.every((v) => typeof v === 'string')) throw new Error(`${key}: only string enums can be flags`);
    return 'enum';
  }
  if (inner instanceof z.ZodNumber) return inner.isInt ? 'int' : 'number';
  if (inner instanceof z.ZodBoolean) return 'boolean';
  if (inner instanceof z.ZodString) return 'string';
  // A field no flag can express is a mistake in the schema: say so on the first run of any test.
  throw new Error(
    `${key}: a ${inner.constructor.name} cannot be a flag; use a string, number, boolean or enum, optionally with .optional() or .default()`,
  );
}

/** A bound worth showing: not the ±2⁵³−1 that `.int()` sets by itself, nor ±Infinity. */
function shownBound(n: number | null): number | undefined {
  return n === null || !(Math.abs(n) < Number.MAX_SAFE_INTEGER) ? undefined : n;
}

/**
 * The fields of a zod object, in their order, as flags. Public zod API only: `.meta()`,
 * `.unwrap()`, `.options`, `.minValue`/`.maxValue`/`.isInt`, and `safeParse(undefined)` for
 * the default. (`z.toJSONSchema()` says the same but costs ten times as long on every start.)
 */
export function describeSchema(schema: z.ZodObject, group: FieldSpec['group']): FieldSpec[] {
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([key, field]) => {
    const meta = field.meta() as FlagMeta | undefined;
    if (!meta?.flag || !meta.help) throw new Error(`${key}: give it .meta({ flag, help }) in the schema`);
    const inner = innerType(field);
    const missing = field.safeParse(undefined);
    const spec: FieldSpec = {
      ...meta,
      key,
      kind: kindOf(key, inner),
      optional: missing.success,
      configurable: meta.configurable ?? group === 'model',
      group,
      schema: field,
    };
    if (inner instanceof z.ZodEnum) spec.values = inner.options as string[];
    if (inner instanceof z.ZodNumber) {
      const min = shownBound(inner.minValue);
      const max = shownBound(inner.maxValue);
      if (min !== undefined) spec.min = min;
      if (max !== undefined) spec.max = max;
    }
    if (missing.success && missing.data !== undefined) spec.default = missing.data;
    return spec;
  });
}

export const MODEL_FIELDS: readonly FieldSpec[] = describeSchema(modelParamsSchema, 'model');
export const RUN_FIELDS: readonly FieldSpec[] = describeSchema(runOptionsSchema, 'run');
/** The batch command's own options (--concurrency, --rpm, --lock...). */
export const BATCH_FIELDS: readonly FieldSpec[] = describeSchema(batchOptionsSchema, 'run');
export const ALL_FIELDS: readonly FieldSpec[] = [...MODEL_FIELDS, ...RUN_FIELDS];
/**
 * What generate and again take for sweeps (`--seed 1..8`): the cap, and the batch engine's
 * options that make sense for one sweep.
 */
export const SWEEP_FIELDS: readonly FieldSpec[] = [
  ...describeSchema(sweepOptionsSchema, 'run'),
  ...BATCH_FIELDS.filter((f) => f.key in SWEEP_HELP).map((f) => ({ ...f, help: SWEEP_HELP[f.key]! })),
];

/** Fields that `config set` and project files may hold. */
// Batch's own settable options (--concurrency, --rpm) belong here too: a project file that sets
// them for CI must not be refused by the other commands.
export const CONFIG_FIELDS: readonly FieldSpec[] = [
  ...ALL_FIELDS,
  ...BATCH_FIELDS,
  ...SWEEP_FIELDS.filter((f) => !BATCH_FIELDS.some((b) => b.key === f.key)),
].filter((f) => f.configurable);

export function fieldByKey(key: string): FieldSpec | undefined {
  return ALL_FIELDS.find((f) => f.key === key);
}

/** Finds a field by API name, flag name or alias (`aspect`, `aspect-ratio`, `aspect_ratio`). */
export function findField(name: string, fields: readonly FieldSpec[] = ALL_FIELDS): FieldSpec | undefined {
  const n = name.replace(/^--?/, '');
  return fields.find(
    (f) => f.key === n || f.flag === n || f.short === n || f.aliases?.includes(n) || f.key === n.replace(/-/g, '_'),
  );
}

/** Human description of what a field allows, for error messages and docs. */
export function allowedText(f: FieldSpec): string {
  switch (f.kind) {
    case 'enum':
      return `one of ${f.values!.join(', ')}`;
    case 'boolean':
      return 'true or false';
    case 'int':
      if (f.min !== undefined && f.max !== undefined) return `a whole number from ${f.min} to ${f.max}`;
      if (f.min !== undefined) return `a whole number of at least ${f.min}`;
      return 'a whole number';
    case 'number':
      if (f.min !== undefined && f.max !== undefined) return `a number from ${f.min} to ${f.max}`;
      if (f.min !== undefined) return `a number of at least ${f.min}`;
      return 'a number';
    case 'string':
      return 'a non-empty value';
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
