/**
 * The user's stored settings (API key, saved defaults), kept with `conf` in a file of mode
 * 0600. conf is imported lazily: most runs read only the environment.
 */
import { chmod } from 'node:fs/promises';
import { configDir } from '../util/paths.js';

export interface StoredConfig {
  apiKey?: string;
  defaults?: Record<string, unknown>;
}

export interface Store {
  path: string;
  get<K extends keyof StoredConfig>(key: K): StoredConfig[K];
  set<K extends keyof StoredConfig>(key: K, value: StoredConfig[K]): Promise<void>;
  delete(key: keyof StoredConfig): Promise<void>;
}

export async function openStore(env: NodeJS.ProcessEnv = process.env): Promise<Store> {
  const { default: Conf } = await import('conf');
  const conf = new Conf<StoredConfig>({
    cwd: configDir(env),
    configName: 'config',
    configFileMode: 0o600,
    // conf would otherwise watch and migrate; we want a plain file.
    clearInvalidConfig: false,
  });
  // conf applies the mode when it writes; also tighten a file that an older version or a
  // user left readable.
  const tighten = () => chmod(conf.path, 0o600).catch(() => undefined);
  return {
    path: conf.path,
    get: (key) => conf.get(key),
    async set(key, value) {
      conf.set(key, value);
      await tighten();
    },
    async delete(key) {
      conf.delete(key);
      await tighten();
    },
  };
}

export type KeySource = 'env' | 'config';

/** SEGMIND_API_KEY wins over the stored key. */
export async function findApiKey(env: NodeJS.ProcessEnv = process.env): Promise<{ key: string; source: KeySource; path?: string } | undefined> {
  const fromEnv = env.SEGMIND_API_KEY?.trim();
  if (fromEnv) return { key: fromEnv, source: 'env' };
  const store = await openStore(env);
  const stored = store.get('apiKey');
  return stored ? { key: stored, source: 'config', path: store.path } : undefined;
}

/** A key as it may be shown: its prefix and last four characters only. */
export function maskKey(key: string): string {
  if (key.length <= 8) return '*'.repeat(key.length);
  const prefix = key.startsWith('SG_') ? 'SG_' : '';
  return `${prefix}${'*'.repeat(Math.min(12, key.length - prefix.length - 4))}${key.slice(-4)}`;
}
