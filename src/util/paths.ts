/**
 * Where flux-krea keeps its files. FLUX_KREA_CONFIG_DIR moves everything (tests use a temp
 * dir so they never touch the user's real config); FLUX_KREA_STATE_DIR moves the journal alone.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

const APP = 'flux-krea';

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FLUX_KREA_CONFIG_DIR) return env.FLUX_KREA_CONFIG_DIR;
  const home = homedir();
  if (process.platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), APP, 'Config');
  if (process.platform === 'darwin') return join(home, 'Library', 'Preferences', APP);
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), APP);
}

export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FLUX_KREA_STATE_DIR) return env.FLUX_KREA_STATE_DIR;
  if (env.FLUX_KREA_CONFIG_DIR) return join(env.FLUX_KREA_CONFIG_DIR, 'state');
  const home = homedir();
  if (process.platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), APP, 'State');
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', APP);
  return join(env.XDG_STATE_HOME ?? join(home, '.local', 'state'), APP);
}
