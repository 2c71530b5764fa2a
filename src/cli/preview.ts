/**
 * `--preview`: after a run's images are saved, draw them on stderr (src/output/preview/). The
 * drawing code and its decoders load only when a preview will be drawn; a failure to draw is
 * a warning, never the run's failure.
 */
import { isatty } from 'node:tty';
import { previewWanted, type PreviewMode } from '../output/preview/wanted.js';
import type { Context } from '../commands/shared/context.js';
import { colorLevel } from './ui.js';

export interface PreviewRun {
  preview?: PreviewMode;
  json: boolean;
  quiet: boolean;
  out: string;
}

export async function showPreview(ctx: Context, run: PreviewRun, paths: readonly string[]): Promise<void> {
  const wanted = previewWanted(run.preview, {
    json: run.json,
    quiet: run.quiet || ctx.ui.quiet,
    toStdout: run.out === '-',
    stderrIsTTY: ctx.stderr.isTTY(),
    env: ctx.env,
  });
  if (!wanted || paths.length === 0) return;
  try {
    const { previewImages } = await import('../output/preview/index.js');
    const rows = (ctx.stderr.stream() as NodeJS.WriteStream).rows;
    await previewImages({
      paths,
      env: ctx.env,
      mode: run.preview as 'auto' | 'always',
      write: (s) => ctx.stderr.write(s),
      columns: ctx.stderr.columns() ?? 80,
      rows,
      colour: colorLevel(ctx.env, true) > 0,
      // The terminal is asked (with a timeout) only through a stdin that is the terminal too.
      input: () => (isatty(0) ? process.stdin : undefined),
      warn: (m) => ctx.ui.warn(m),
    });
  } catch (e) {
    ctx.ui.warn(`No preview: ${(e as Error).message}`);
  }
}
