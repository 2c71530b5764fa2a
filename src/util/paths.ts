/**
 * Where flux-krea keeps its files. FLUX_KREA_CONFIG_DIR moves everything (tests use a temp
 * dir so they never touch the user's real config); FLUX_KREA_STATE_DIR moves the journal alone.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

const APP = 'flux-krea';

/**
 * `~` and `~/…` as the home directory. A shell does this for a typed flag, but not for a value
 * read from a config file, a project file or an environment variable set in quotes, which would
 * otherwise make a directory literally named `~` in the current one (issue 13 item 5).
 */
export function expandHome(path: string, env: NodeJS.ProcessEnv = process.env): string {
  if (path !== '~' && !path.startsWith('~/') && !(process.platform === 'win32' && path.startsWith('~\\'))) return path;
  return join(env.HOME || homedir(), path.slice(1));
}

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FLUX_KREA_CONFIG_DIR) return expandHome(env.FLUX_KREA_CONFIG_DIR, env);
  const home = homedir();
  if (process.platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), APP, 'Config');
  if (process.platform === 'darwin') return join(home, 'Library', 'Preferences', APP);
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), APP);
}

export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FLUX_KREA_STATE_DIR) return expandHome(env.FLUX_KREA_STATE_DIR, env);
  if (env.FLUX_KREA_CONFIG_DIR) return join(expandHome(env.FLUX_KREA_CONFIG_DIR, env), 'state');
  const home = homedir();
  if (process.platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), APP, 'State');
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', APP);
  return join(env.XDG_STATE_HOME ?? join(home, '.local', 'state'), APP);
}
