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
import type { Shell } from './shells.js';

export { SHELLS, COMPLETION_FILES, type Shell } from './shells.js';

export function renderCompletion(shell: Shell, program: Command): string {
  const model = buildModel(program);
  switch (shell) {
    case 'bash': return renderBash(model);
    case 'zsh': return renderZsh(model);
    case 'fish': return renderFish(model);
  }
}
