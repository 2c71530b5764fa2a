/**
 * The body of `flux-krea again`: read the record, restore what can be restored (and name what
 * cannot), warn when go_fast makes an exact copy impossible, then run it as generate does,
 * with the flags on top.
 */
import { printable } from '../util/printable.js';
import { restoreParams } from '../core/recorded.js';
import { UsageError } from '../errors.js';
import { sidecarPath } from '../output/metadata.js';
import { readProvenance, ProvenanceError } from '../output/provenance-reader.js';
import type { FlagValues } from '../store/settings.js';
import type { Context } from './shared/context.js';
import { runGenerate } from './run-generate.js';

export async function runAgain(
  ctx: Context,
  path: string,
  promptFlag: string | undefined,
  flags: FlagValues,
): Promise<number> {
  let found;
  try {
    found = await readProvenance(path);
  } catch (e) {
    if (e instanceof ProvenanceError)
      throw new UsageError(`${e.message}.`, {
        suggestion: 'Give an image made with --metadata embed or sidecar, or its .json sidecar.',
      });
    throw e;
  }
  if (!found) {
    throw new UsageError(
      `${path} carries no flux-krea record: no embedded metadata, and no ${sidecarPath(path)} beside it. Nothing was sent.`,
      {
        suggestion:
          'Images carry their record when made with --metadata embed (inside the file) or --metadata sidecar. `flux-krea inspect` shows what an image carries.',
      },
    );
  }
  const restored = restoreParams(found.provenance);
  if (promptFlag !== undefined && !promptFlag.trim())
    throw new UsageError('--prompt: the prompt is empty.', {
      suggestion: 'Give some text, or leave out --prompt to use the recorded one.',
    });
  const prompt = promptFlag ?? restored.prompt;
  if (!prompt.trim())
    throw new UsageError(`${found.recordPath}: the record has no prompt.`, { suggestion: 'Give one with --prompt.' });
  if (restored.unrestored.length) {
    // The keys come from the record, anyone's text: never raw on the terminal.
    const list = printable(restored.unrestored.map((u) => `${u.key} (${u.why})`).join('; '));
    ctx.ui.warn(
      `Not restored from ${found.recordPath}: ${list}. The run uses your flags, settings or the defaults for ${restored.unrestored.length === 1 ? 'it' : 'them'}.`,
    );
  }
  if (restored.goFast) {
    ctx.ui.warn(
      `${found.imagePath} was made with go_fast on, which is not deterministic: the new image will be close, not bit for bit the same. Make images with --no-go-fast to reproduce them exactly.`,
    );
  }
  return runGenerate(ctx, undefined, flags, { prompt, values: restored.values, where: found.recordPath });
}
