/**
 * Resolves every setting from its layers: flag > environment > project file > user config >
 * built-in default. Each value is checked with the same schema as the flag, and its source is
 * kept so that `--dry-run` can say where each value came from.
 */
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { expandHome } from '../util/paths.js';
import { jsonProblem } from '../util/json-problem.js';
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

export interface ProjectSearch {
  /** The home directory: the search goes no higher (default: HOME, else os.homedir()). */
  home?: string;
  /** The user whose files are trusted (default: this process's). */
  uid?: number;
}

/**
 * The project file that applies in `cwd`: the nearest one in `cwd` or a parent, up to the
 * repository root (a directory with `.git`) or the home directory, whichever comes first. A
 * file planted higher up, in a shared directory such as /tmp, is never read, nor one owned by
 * another user, nor anything but a regular file (issue 12 item 18): it could raise
 * num_outputs, and the bill.
 */
export function findProjectFile(cwd: string, o: ProjectSearch = {}): string | undefined {
  const home = resolve(o.home ?? process.env.HOME ?? homedir());
  const uid = o.uid ?? process.getuid?.();
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const candidate = join(dir, PROJECT_FILE);
    const st = lstatSync(candidate, { throwIfNoEntry: false });
    if (st?.isFile() && (uid === undefined || st.uid === uid)) return candidate;
    if (dir === home || existsSync(join(dir, '.git')) || dirname(dir) === dir) return undefined;
  }
}

export async function readProjectFile(path: string): Promise<Record<string, unknown>> {
  let parsed: unknown;
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
    parsed = JSON.parse(text);
  } catch (e) {
    const problem = (e as NodeJS.ErrnoException).code
      ? `cannot be read (${(e as NodeJS.ErrnoException).code})`
      : jsonProblem(text, e);
    throw new UsageError(`${path}: ${problem}.`, { suggestion: 'Fix or remove the file.' });
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
      throw new UsageError(
        known ? `${where}: "${name}" cannot be saved as a default.` : `${where}: unknown setting "${name}".`,
        { suggestion: `Settable: ${CONFIG_FIELDS.map((f) => f.flag).join(', ')}.` },
      );
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

/** A path setting with `~` expanded, from whichever layer it came (util/paths.ts says why). */
function withHome(f: FieldSpec, value: unknown, env: NodeJS.ProcessEnv): unknown {
  return (f.complete === 'dir' || f.complete === 'file') && typeof value === 'string' ? expandHome(value, env) : value;
}

export async function resolveSettings(input: SettingsInput): Promise<Resolved> {
  const env = input.env ?? process.env;
  const fields = input.fields ?? ALL_FIELDS;
  const projectPath = findProjectFile(input.cwd ?? process.cwd(), { home: env.HOME });
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
      values[f.key] = projectRelative(f, withHome(f, project[f.key], env), projectPath!);
      origins[f.key] = { source: 'project', where: projectPath! };
    } else if (f.key in user) {
      values[f.key] = user[f.key];
      origins[f.key] = { source: 'user', where: input.userConfigPath ?? 'user config' };
    } else if (f.default !== undefined) {
      values[f.key] = f.default;
      origins[f.key] = { source: 'default', where: 'built-in default' };
    }
  }
  for (const f of fields) if (f.key in values) values[f.key] = withHome(f, values[f.key], env);
  return { values, origins };
}

export { flagName };
