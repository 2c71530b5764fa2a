/**
 * Whether a run draws a preview at all: decided from flags and the terminal before any
 * decoder loads. Kept apart from index.ts so that the command layer can ask cheaply.
 */
export const PREVIEW_MODES = ['auto', 'always', 'never'] as const;
export type PreviewMode = (typeof PREVIEW_MODES)[number];

export interface PreviewContext {
  json: boolean;
  quiet: boolean;
  /** `-o -`: the image itself is on stdout. */
  toStdout: boolean;
  stderrIsTTY: boolean;
}

/** Never on a pipe or a file, with --json, -q or -o -; `never` is never. */
export function previewWanted(mode: PreviewMode | undefined, c: PreviewContext): mode is 'auto' | 'always' {
  if (!mode || mode === 'never') return false;
  return c.stderrIsTTY && !c.json && !c.quiet && !c.toStdout;
}
