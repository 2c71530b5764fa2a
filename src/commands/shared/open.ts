/** `--open`: show the saved images in the system viewer, when there is one. */
import { spawn } from 'node:child_process';
import type { Context } from './context.js';

function opener(): { cmd: string; args: string[] } {
  if (process.platform === 'darwin') return { cmd: 'open', args: [] };
  if (process.platform === 'win32') return { cmd: 'cmd', args: ['/c', 'start', '""'] };
  return { cmd: 'xdg-open', args: [] };
}

/** Starts the viewer for each file, detached; a missing viewer is a warning, never a failure. */
export async function openFiles(ctx: Context, paths: string[]): Promise<void> {
  const o = opener();
  for (const p of paths) {
    const started = await new Promise<boolean>((resolve) => {
      const child = spawn(o.cmd, [...o.args, p], { stdio: 'ignore', detached: true });
      child.on('error', () => resolve(false));
      child.on('spawn', () => {
        child.unref();
        resolve(true);
      });
    });
    if (!started) {
      ctx.ui.warn(`--open: no image viewer found (${o.cmd}); the files are saved.`);
      return;
    }
  }
}
