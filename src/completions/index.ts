/**
 * Completion scripts for bash, zsh and fish, rendered from the live commander tree. The
 * committed files in completions/ are this output (`npm run completions`); a test fails when
 * they drift.
 */
import type { Command } from 'commander';
import { buildModel } from './model.js';
import { renderBash } from './bash.js';
import { renderZsh } from './zsh.js';
import { renderFish } from './fish.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** File names under completions/, as each shell's loader expects them. */
export const COMPLETION_FILES: Record<Shell, string> = {
  bash: 'flux-krea.bash',
  zsh: '_flux-krea',
  fish: 'flux-krea.fish',
};

export function renderCompletion(shell: Shell, program: Command): string {
  const model = buildModel(program);
  switch (shell) {
    case 'bash': return renderBash(model);
    case 'zsh': return renderZsh(model);
    case 'fish': return renderFish(model);
  }
}
