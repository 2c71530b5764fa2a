/**
 * Resolves every setting from its layers: flag > environment > project file > user config >
 * built-in default. Each value is checked with the same schema as the flag, and its source is
 * kept so that `--dry-run` can say where each value came from.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { coerce } from '../params/coerce.js';
import { CONFIG_FIELDS, ALL_FIELDS, envName, findField, flagName, type FieldSpec } from '../params/fields.js';

export type Source = 'flag' | 'recorded' | 'env' | 'project' | 'user' | 'default' | 'random' | 'derived';

export interface Origin {
  source: Source;
  /** Human description: `--aspect`, `FLUX_KREA_ASPECT`, `/repo/flux-krea.config.json`. */
  where: string;
}

export interface Resolved {
  values: Record<string, unknown>;
  origins: Record<string, Origin>;
}

export const PROJECT_FILE = 'flux-krea.config.json';

/** Raw flag values as commander collected them, keyed by field key. */
export type FlagValues = Record<string, { raw: unknown; flag: string }>;

export interface SettingsInput {
  flags: FlagValues;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** The user config's saved defaults (already loaded). */
  userDefaults?: Record<string, unknown>;
  userConfigPath?: string;
  fields?: readonly FieldSpec[];
}

export function findProjectFile(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const candidate = join(dir, PROJECT_FILE);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

export async function readProjectFile(path: string): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`${path}: not valid JSON (${(e as Error).message}).`, { suggestion: 'Fix or remove the file.' });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`${path}: must hold a JSON object of settings, e.g. {"format": "png"}.`);
  }
  return parsed as Record<string, unknown>;
}

/** Checks a map of stored settings (project file or user config), keyed by any field name. */
export function checkStored(values: Record<string, unknown>, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(values)) {
    const field = findField(name, CONFIG_FIELDS);
    if (!field) {
      const known = findField(name, ALL_FIELDS);
      throw new UsageError(known
        ? `${where}: "${name}" cannot be saved as a default.`
        : `${where}: unknown setting "${name}".`, { suggestion: `Settable: ${CONFIG_FIELDS.map((f) => f.flag).join(', ')}.` });
    }
    out[field.key] = coerce(field, raw, `${where}: ${name}`);
  }
  return out;
}

/**
 * A directory in a project file means the same place from any subdirectory: it is relative to
 * the file, as a repo's CI expects (and batch's lock hashes stay stable wherever it runs).
 */
function projectRelative(f: FieldSpec, value: unknown, projectPath: string): unknown {
  if (f.complete !== 'dir' || typeof value !== 'string' || value === '-' || isAbsolute(value)) return value;
  return join(dirname(projectPath), value);
}

export async function resolveSettings(input: SettingsInput): Promise<Resolved> {
  const env = input.env ?? process.env;
  const fields = input.fields ?? ALL_FIELDS;
  const projectPath = findProjectFile(input.cwd ?? process.cwd());
  const project = projectPath ? checkStored(await readProjectFile(projectPath), projectPath) : {};
  const user = input.userDefaults ? checkStored(input.userDefaults, input.userConfigPath ?? 'user config') : {};
  const values: Record<string, unknown> = {};
  const origins: Record<string, Origin> = {};
  for (const f of fields) {
    const flag = input.flags[f.key];
    const envValue = f.configurable ? env[envName(f)] : undefined;
    if (flag !== undefined && flag.raw !== undefined) {
      values[f.key] = coerce(f, flag.raw, flag.flag);
      origins[f.key] = { source: 'flag', where: flag.flag };
    } else if (envValue !== undefined && envValue !== '') {
      values[f.key] = coerce(f, envValue, envName(f));
      origins[f.key] = { source: 'env', where: envName(f) };
    } else if (f.key in project) {
      values[f.key] = projectRelative(f, project[f.key], projectPath!);
      origins[f.key] = { source: 'project', where: projectPath! };
    } else if (f.key in user) {
      values[f.key] = user[f.key];
      origins[f.key] = { source: 'user', where: input.userConfigPath ?? 'user config' };
    } else if (f.default !== undefined) {
      values[f.key] = f.default;
      origins[f.key] = { source: 'default', where: 'built-in default' };
    }
  }
  return { values, origins };
}

export { flagName };
