/**
 * Whether a run draws a preview at all: decided from flags and the terminal before any
 * decoder loads. Kept apart from index.ts so that the command layer can ask cheaply.
 */
import { graphicsFromEnv } from './terminal.js';

export const PREVIEW_MODES = ['auto', 'always', 'never'] as const;
export type PreviewMode = (typeof PREVIEW_MODES)[number];

export interface PreviewContext {
  json: boolean;
  quiet: boolean;
  /** `-o -`: the image itself is on stdout. */
  toStdout: boolean;
  stderrIsTTY: boolean;
  env: NodeJS.ProcessEnv;
}

/**
 * Never on a pipe or a file, with --json, -q or -o -; `never` is never. `auto` (the default)
 * draws only in terminals that say by their environment that they show pictures (kitty,
 * Ghostty, Konsole, iTerm2, WezTerm), so that it costs nothing and writes nothing elsewhere;
 * `always` also asks the terminal (sixel) and falls back to coloured blocks.
 */
export function previewWanted(mode: PreviewMode | undefined, c: PreviewContext): mode is 'auto' | 'always' {
  if (!mode || mode === 'never') return false;
  if (!c.stderrIsTTY || c.json || c.quiet || c.toStdout) return false;
  return mode === 'always' || Boolean(c.env.FLUX_KREA_PREVIEW_PROTOCOL) || graphicsFromEnv(c.env) !== undefined;
}
