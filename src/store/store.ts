/**
 * The user's stored settings (API key, saved defaults), kept with `conf` in a file of mode
 * 0600. Writes go through conf; reads, which every generation makes, parse the same JSON file
 * directly, because loading conf (and ajv behind it) costs about 20 ms of start-up (issue 6).
 */
// fs.promises is read where used, not imported: node:fs/promises loads about 1 ms of Node
// internals, and a dry run or --help must not pay for it (issue 6).
import { promises as fsp, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BrokenConfigError, LocalStateError } from '../errors.js';
import { jsonProblem } from '../util/json-problem.js';
import { configDir } from '../util/paths.js';
import { rememberSecret } from '../util/secrets.js';

export interface StoredConfig {
  apiKey?: string;
  defaults?: Record<string, unknown>;
}

export interface StoreReader {
  path: string;
  get<K extends keyof StoredConfig>(key: K): StoredConfig[K];
}

export interface Store extends StoreReader {
  set<K extends keyof StoredConfig>(key: K, value: StoredConfig[K]): Promise<void>;
  delete(key: keyof StoredConfig): Promise<void>;
}

/** conf's file name for these options (`configName: 'config'`, the default `.json` extension). */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'config.json');
}

/** The stored config, read-only, without loading conf; a missing file is an empty config. */
export async function readStore(env: NodeJS.ProcessEnv = process.env): Promise<StoreReader> {
  const path = configPath(env);
  let text: string;
  try {
    // A small file, read once at start-up: the synchronous read is the cheap one.
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') {
      throw new LocalStateError(`Cannot read the flux-krea config ${path} (${code ?? (e as Error).message}).`, {
        suggestion: 'Fix its permissions, or point FLUX_KREA_CONFIG_DIR at another directory.',
      });
    }
    text = '{}';
  }
  let data: StoredConfig;
  const broken = (problem: string) => new BrokenConfigError(`The flux-krea config ${path} is ${problem}.`, path);
  try {
    data = JSON.parse(text) as StoredConfig;
  } catch (e) {
    // Never the parser's own words: they quote the file, and the file holds the key.
    throw broken(jsonProblem(text, e));
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw broken('not a JSON object');
  if (data.apiKey !== undefined && typeof data.apiKey !== 'string') throw broken('broken: "apiKey" is not a string');
  if (
    data.defaults !== undefined &&
    (!data.defaults || typeof data.defaults !== 'object' || Array.isArray(data.defaults))
  ) {
    throw broken('broken: "defaults" is not an object');
  }
  rememberSecret(data.apiKey);
  return { path, get: (key) => data[key] };
}

/** The stored config for writing (conf: atomic writes, file mode 0600). */
export async function openStore(env: NodeJS.ProcessEnv = process.env): Promise<Store> {
  // A broken file gets the same clear message as a read, not conf's parser error (issue 12 item 16).
  const path = (await readStore(env)).path;
  // conf writes the key and chmods the file: never through a link into someone else's file
  // (issue 12 item 14). The directory is made 0700 when it is new.
  const kind = await fsp.lstat(path).catch(() => undefined);
  if (kind && !kind.isFile()) {
    throw new LocalStateError(
      `The flux-krea config ${path} is ${kind.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}; flux-krea writes the key only into a file of its own.`,
      {
        suggestion:
          'Remove it (the key is then stored in a new file there), or point FLUX_KREA_CONFIG_DIR at another directory.',
      },
    );
  }
  await fsp.mkdir(configDir(env), { recursive: true, mode: 0o700 }).catch(() => undefined);
  const { default: Conf } = await import('conf');
  // conf's errors (a config directory that cannot be made or written) name the file and exit 9.
  const guard = <T>(what: string, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof LocalStateError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      throw new LocalStateError(`Cannot ${what} the flux-krea config ${path} (${code ?? 'unreadable'}).`, {
        suggestion: 'Make its directory writable, or point FLUX_KREA_CONFIG_DIR at a directory you own.',
        cause: e,
      });
    }
  };
  const conf = guard(
    'open',
    () =>
      new Conf<StoredConfig>({
        cwd: configDir(env),
        configName: 'config',
        configFileMode: 0o600,
        // conf would otherwise watch and migrate; we want a plain file.
        clearInvalidConfig: false,
      }),
  );
  // conf applies the mode when it writes; also tighten a file that an older version or a
  // user left readable.
  const tighten = () => fsp.chmod(conf.path, 0o600).catch(() => undefined);
  return {
    path: conf.path,
    get: (key) => conf.get(key),
    async set(key, value) {
      if (key === 'apiKey') rememberSecret(value as string);
      guard('write', () => conf.set(key, value));
      await tighten();
    },
    async delete(key) {
      guard('write', () => conf.delete(key));
      await tighten();
    },
  };
}

export type KeySource = 'env' | 'config';

/** SEGMIND_API_KEY wins over the stored key. */
export async function findApiKey(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ key: string; source: KeySource; path?: string } | undefined> {
  const fromEnv = env.SEGMIND_API_KEY?.trim();
  rememberSecret(fromEnv);
  if (fromEnv) return { key: fromEnv, source: 'env' };
  const store = await readStore(env);
  const stored = store.get('apiKey');
  rememberSecret(typeof stored === 'string' ? stored : undefined);
  return stored ? { key: stored, source: 'config', path: store.path } : undefined;
}

/** A key as it may be shown: its prefix and last four characters only. */
export function maskKey(key: string): string {
  if (key.length <= 8) return '*'.repeat(key.length);
  const prefix = key.startsWith('SG_') ? 'SG_' : '';
  return `${prefix}${'*'.repeat(Math.min(12, key.length - prefix.length - 4))}${key.slice(-4)}`;
}
