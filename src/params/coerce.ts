/**
 * Turns a raw value (a flag's string, an env var, a JSON value from a config file or a batch
 * manifest) into a checked value for one field, with an error that names where it came from,
 * the bad value and what is allowed, plus a did-you-mean for near misses such as `16x9`.
 *
 * Only the reading of text is ours (`"4"` → 4, `yes` → true, `PNG` → png); whether the value
 * is allowed is decided by parsing it with the field's zod schema, which also gives its output
 * (a trimmed prompt, say).
 */
import * as z from 'zod/mini';
import { UsageError } from '../errors.js';
import { allowedText, type FieldSpec } from './fields.js';

export function coerce(field: FieldSpec, raw: unknown, origin: string): unknown {
  const value = parseRaw(field, raw);
  // A missing value is not a value given: never let the default stand in for it.
  const checked = value === INVALID || value === undefined ? undefined : z.safeParse(field.schema, value);
  if (checked?.success) return checked.data;
  throw invalid(field, raw, origin);
}

const INVALID = Symbol('invalid');

function parseRaw(field: FieldSpec, raw: unknown): unknown {
  if (typeof raw !== 'string') {
    if (field.kind === 'enum' && typeof raw === 'number') return normalizeEnum(field, String(raw));
    return raw;
  }
  const s = raw.trim();
  switch (field.kind) {
    case 'int':
      return /^[+-]?\d+$/.test(s) ? Number(s) : INVALID;
    case 'number':
      return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s) ? Number(s) : INVALID;
    case 'boolean':
      if (/^(true|yes|on|1)$/i.test(s)) return true;
      if (/^(false|no|off|0)$/i.test(s)) return false;
      return INVALID;
    case 'enum':
      return normalizeEnum(field, s);
    case 'string':
      return raw;
  }
}

/** Accepts harmless spellings of an allowed value: `PNG`, `1.0` for megapixels. */
function normalizeEnum(field: FieldSpec, s: string): string {
  const values = field.values ?? [];
  const lower = s.toLowerCase();
  const exact = values.find((v) => v.toLowerCase() === lower);
  if (exact) return exact;
  if (/^[\d.]+$/.test(s)) {
    const numeric = values.find((v) => /^[\d.]+$/.test(v) && Number(v) === Number(s));
    if (numeric) return numeric;
  }
  return s;
}

export function invalid(field: FieldSpec, raw: unknown, origin: string): UsageError {
  // A near miss is a typo in a word or a number; a list or an object is no near miss of anything.
  const typed = typeof raw === 'string' || typeof raw === 'number';
  const hint = field.kind === 'enum' && typed ? didYouMean(String(raw), field.values ?? []) : undefined;
  return new UsageError(
    `${origin}: ${shown(raw)} is not allowed; use ${allowedText(field)}.${hint ? ` Did you mean ${hint}?` : ''}`,
  );
}

/**
 * The bad value as it was written: text in quotes, a list or an object from a JSON file as JSON.
 * String() showed `[]` as nothing, `{}` as [object Object], and `[1]` as 1, which read as if an
 * allowed number had been refused. Numbers stay String()'s (JSON would turn Infinity into null).
 */
function shown(raw: unknown): string {
  if (typeof raw === 'string' || (typeof raw === 'object' && raw !== null)) return JSON.stringify(raw);
  return String(raw);
}

/** The closest allowed value, when it is close enough to be a typo. */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  const norm = (s: string) =>
    s
      .toLowerCase()
      .replace(/[x×/*.,;_ -]/g, ':')
      .replace(/^jpeg$/, 'jpg');
  const n = norm(input);
  const byNorm = candidates.find((c) => norm(c) === n);
  if (byNorm) return byNorm;
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(input.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(input.length / 3)) ? best : undefined;
}

/** Levenshtein distance. */
export function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
