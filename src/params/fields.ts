/**
 * The zod schemas seen as flags: each field becomes a `FieldSpec` (flag names, kind, allowed
 * values, range, default, and the zod field itself) that commander options, validation,
 * completions, config keys and the README tables share.
 *
 * Read when the program runs, through zod's documented introspection surface: the global
 * registry for the metadata and `_zod.def` for the rest, which every zod 4 schema has (zod/mini,
 * as ours are written, or classic zod). Values are checked by parsing them with the zod field
 * (coerce.ts), so no second validator exists to drift from the schema.
 */
import * as z from 'zod/mini';
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
  /** Bounds as shown to people; zod's safe-integer range, which `z.int()` implies, is not shown. */
  min?: number;
  max?: number;
  default?: unknown;
  /** The schema accepts a missing value (the default then applies, if there is one). */
  optional: boolean;
  configurable: boolean;
  group: 'model' | 'run';
  /** The zod field: every value is checked by parsing it with this (coerce.ts). */
  schema: z.core.$ZodType;
}

/** The field under its optional and default wrappers. */
function innerType(field: z.core.$ZodType): z.core.$ZodTypes {
  let inner = field as z.core.$ZodTypes;
  while (inner._zod.def.type === 'optional' || inner._zod.def.type === 'default') {
    inner = inner._zod.def.innerType as z.core.$ZodTypes;
  }
  return inner;
}

interface NumberFacts {
  int: boolean;
  min?: number;
  max?: number;
}

/** A number's checks as flags show them: whole or not, and its bounds. */
function numberFacts(schema: z.core.$ZodNumber): NumberFacts {
  const facts: NumberFacts = { int: false };
  // z.int() is itself a number_format check; classic zod's .int() adds one to the checks.
  for (const check of [schema, ...(schema._zod.def.checks ?? [])] as z.core.$ZodChecks[]) {
    const def = check._zod.def;
    if (def.check === 'number_format') facts.int ||= def.format.includes('int');
    if (def.check === 'greater_than') facts.min = Math.max(facts.min ?? -Infinity, Number(def.value));
    if (def.check === 'less_than') facts.max = Math.min(facts.max ?? Infinity, Number(def.value));
  }
  return facts;
}

function kindOf(key: string, inner: z.core.$ZodTypes): FieldKind {
  switch (inner._zod.def.type) {
    case 'enum':
      if (!Object.values(inner._zod.def.entries).every((v) => typeof v === 'string')) {
        throw new Error(`${key}: only string enums can be flags`);
      }
      return 'enum';
    case 'number':
      return numberFacts(inner as z.core.$ZodNumber).int ? 'int' : 'number';
    case 'boolean':
      return 'boolean';
    case 'string':
      return 'string';
  }
  // A field no flag can express is a mistake in the schema: say so on the first run of any test.
  throw new Error(
    `${key}: a ${inner.constructor.name} cannot be a flag; use a string, number, boolean or enum, optionally with .optional() or .default()`,
  );
}

/**
 * The fields of a zod object, in their order, as flags. Metadata from `z.globalRegistry`
 * (where zod/mini's `.register(z.globalRegistry, …)` and classic zod's `.meta()` put it),
 * kind, allowed values and bounds from `_zod.def`, and `safeParse(undefined)` for the default.
 * (`z.toJSONSchema()` says the same but costs ten times as long on every start.)
 */
export function describeSchema(schema: z.core.$ZodObject, group: FieldSpec['group']): FieldSpec[] {
  return Object.entries(schema._zod.def.shape).map(([key, field]) => {
    const meta = z.globalRegistry.get(field) as FlagMeta | undefined;
    if (!meta?.flag || !meta.help) {
      throw new Error(`${key}: give it .meta({ flag, help }) in the schema (zod/mini: .register(z.globalRegistry, …))`);
    }
    const inner = innerType(field);
    const missing = z.safeParse(field, undefined);
    const spec: FieldSpec = {
      ...meta,
      key,
      kind: kindOf(key, inner),
      optional: missing.success,
      configurable: meta.configurable ?? group === 'model',
      group,
      schema: field,
    };
    if (inner._zod.def.type === 'enum') spec.values = Object.values(inner._zod.def.entries) as string[];
    if (inner._zod.def.type === 'number') {
      const { min, max } = numberFacts(inner as z.core.$ZodNumber);
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
