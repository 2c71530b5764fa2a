/**
 * Sweeps from the command line: a model flag given a comma list (`--guidance 2,4,6`,
 * `--aspect 1:1,16:9`) or, for whole numbers, a range (`--seed 1..8`) becomes an axis, and the
 * run is the Cartesian product of the axes, one job per combination.
 *
 * Pure functions: every value is checked with the field's own schema (coerce.ts), so a bad one
 * is refused with the flag, the value and what is allowed before anything is sent; the number
 * of jobs is known (and capped by the caller) before a single combination is built.
 *
 * Not swept: switches (`--go-fast` takes no value; a manifest matrix can sweep them), and
 * `--image`, whose URLs and file names may hold commas.
 */
import { SweepTooLargeError, UsageError } from '../errors.js';
import { coerce } from '../params/coerce.js';
import type { FieldSpec } from '../params/fields.js';
import type { FlagValues } from '../store/settings.js';

/** Above this a sweep is refused unless `--max-jobs` raises the cap. */
export const DEFAULT_MAX_JOBS = 16;
/** One range may not name more values than this, whatever the cap: `--seed 1..1e9` is a typo. */
export const MAX_RANGE = 10_000;

export interface SweepAxis {
  field: FieldSpec;
  /** The flag as typed, e.g. `--guidance` or `-g`. */
  flag: string;
  /** Checked values, in the order given, without duplicates. */
  values: unknown[];
}

export interface SweepFlags {
  axes: SweepAxis[];
  /** The flags that are not swept, as they were (a one-value list becomes a plain value). */
  fixed: FlagValues;
}

const RANGE = /^([+-]?\d+)\s*\.\.\s*([+-]?\d+)$/;

/** Whether a field can be swept from the command line. */
export function sweepable(f: FieldSpec): boolean {
  return f.group === 'model' && f.kind !== 'boolean' && f.key !== 'prompt' && f.key !== 'image';
}

/** Splits the swept flags (a comma list, or a range for whole numbers) from the others. */
export function sweepAxes(flags: FlagValues, fields: readonly FieldSpec[]): SweepFlags {
  const axes: SweepAxis[] = [];
  const fixed: FlagValues = { ...flags };
  for (const field of fields) {
    const given = flags[field.key];
    if (!given || typeof given.raw !== 'string' || !sweepable(field)) continue;
    const raw = given.raw.trim();
    if (field.kind === 'number' && raw.split(',').some((part) => RANGE.test(part.trim())))
      throw new UsageError(
        // Said of the flag, not the values: "1..3" is written in whole numbers, but 1.5 lies between them.
        `${given.flag}: ${JSON.stringify(raw)} has a range, and ${given.flag} takes decimals: ranges are for whole-number flags only; list the values instead, e.g. ${given.flag} ${example(field)}.`,
      );
    if (!raw.includes(',') && !(field.kind === 'int' && RANGE.test(raw))) continue;
    const values = axisValues(field, given.flag, raw);
    if (values.length === 1) {
      fixed[field.key] = { raw: values[0], flag: given.flag };
      continue;
    }
    delete fixed[field.key];
    axes.push({ field, flag: given.flag, values });
  }
  return { axes, fixed };
}

function axisValues(field: FieldSpec, flag: string, raw: string): unknown[] {
  const values: unknown[] = [];
  for (const part of raw.split(',').map((p) => p.trim())) {
    if (!part)
      throw new UsageError(
        `${flag}: ${JSON.stringify(raw)} has an empty value; separate values with single commas, e.g. ${flag} ${example(field)}.`,
      );
    // `--seed 1,000` is one thousand written with a separator far more often than the sweep
    // 1 and 0, which would cost two jobs: nobody writes a sweep's value with a leading zero.
    if ((field.kind === 'int' || field.kind === 'number') && /^0\d/.test(part))
      throw new UsageError(
        `${flag}: ${JSON.stringify(raw)} would be a sweep over ${raw.split(',').join(' and ')}; write a number without thousands separators (${raw.replaceAll(',', '')}), and a sweep's values without leading zeros.`,
      );
    const range = field.kind === 'int' ? RANGE.exec(part) : null;
    if (!range) {
      values.push(coerce(field, part, flag));
      continue;
    }
    const from = coerce(field, range[1], flag) as number;
    const to = coerce(field, range[2], flag) as number;
    const count = Math.abs(to - from) + 1;
    if (count > MAX_RANGE) {
      throw new UsageError(
        `${flag}: the range ${part} has ${count} values; at most ${MAX_RANGE} are allowed in one range.`,
      );
    }
    // Both ends were checked, and every whole number between two allowed ones is allowed.
    const step = to >= from ? 1 : -1;
    for (let v = from; v !== to + step; v += step) values.push(v);
  }
  const seen = new Set<string>();
  for (const v of values) {
    const k = String(v);
    if (seen.has(k))
      throw new UsageError(
        `${flag}: ${k} is given twice in ${JSON.stringify(raw)}; each value makes its own jobs, so list it once.`,
      );
    seen.add(k);
  }
  return values;
}

function example(field: FieldSpec): string {
  if (field.kind === 'enum') return field.values!.slice(0, 2).join(',');
  if (field.kind === 'int') return field.min !== undefined ? `${field.min},${field.min + 1}` : '1..4';
  return field.max !== undefined && field.max <= 1 ? '0.5,1' : '2,4';
}

/** How many jobs the axes make: known before any combination is built. */
export function sweepCount(axes: readonly SweepAxis[]): number {
  return axes.reduce((n, a) => n * a.values.length, 1);
}

/**
 * Refuses a sweep of more than `maxJobs` jobs (exit 2, nothing sent), naming the count and how
 * it came about; the CLI says how to allow it.
 */
export function checkSweepSize(axes: readonly SweepAxis[], maxJobs: number): void {
  const count = sweepCount(axes);
  if (count <= maxJobs) return;
  const how = axes.map((a) => `${a.values.length} ${a.flag}`).join(' × ');
  throw new SweepTooLargeError(
    `This sweep is ${count} jobs (${how}), more than the ${maxJobs} allowed without asking.`,
    count,
    maxJobs,
  );
}

/** The combinations, first axis slowest, as `{ api_name: value }`: deterministic, like nested loops. */
export function* combinations(axes: readonly SweepAxis[]): Generator<Record<string, unknown>> {
  const index = axes.map(() => 0);
  if (axes.some((a) => a.values.length === 0)) return;
  for (;;) {
    yield Object.fromEntries(axes.map((a, i) => [a.field.key, a.values[index[i]!]]));
    let i = axes.length - 1;
    while (i >= 0 && ++index[i]! === axes[i]!.values.length) index[i--] = 0;
    if (i < 0) return;
  }
}

/** A value as a piece of a file name: `16:9` → `16x9` (no `:` on Windows), `0.25` stays. */
export function nameValue(v: unknown): string {
  return String(v)
    .replace(/:/g, 'x')
    .replace(/[^A-Za-z0-9._-]+/g, '-');
}

/**
 * What varies in one combination, for its file names and lock key: `guidance-4-aspect-1x1`.
 * The seed is left out: file names already carry it.
 */
export function comboLabel(axes: readonly SweepAxis[], combo: Record<string, unknown>): string {
  return axes
    .filter((a) => a.field.key !== 'seed')
    .map((a) => `${a.field.flag}-${nameValue(combo[a.field.key])}`)
    .join('-');
}
