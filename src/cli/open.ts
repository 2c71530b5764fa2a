/** `--open`: show the saved images in the system viewer, when there is one. */
import { spawn } from 'node:child_process';
import type { Context } from './context.js';

function opener(): { cmd: string; args: string[] } | undefined {
  if (process.platform === 'darwin') return { cmd: 'open', args: [] };
  if (process.platform === 'win32') return { cmd: 'cmd', args: ['/c', 'start', '""'] };
  return { cmd: 'xdg-open', args: [] };
}

export async function openFiles(ctx: Context, paths: string[]): Promise<void> {
  const o = opener();
  if (!o) return;
  for (const p of paths) {
    await new Promise<void>((resolve) => {
      const child = spawn(o.cmd, [...o.args, p], { stdio: 'ignore', detached: true });
      child.on('error', () => {
        ctx.ui.warn(`--open: no image viewer found (${o.cmd}); the files are saved.`);
        resolve();
      });
      child.on('spawn', () => { child.unref(); resolve(); });
    });
  }
}
