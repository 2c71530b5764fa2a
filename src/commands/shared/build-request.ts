/**
 * From the command line's resolved settings to the exact request body: cross-field checks, the
 * random seed, and the local input image (checked before anything is sent; uploaded later).
 * It lives with the commands because its messages and warnings name their flags.
 */
import { checkLocalImage, randomSeed, RANDOM_SEED } from '../../core/params.js';
import { UsageError } from '../../errors.js';
import { MODEL_FIELDS } from '../../params/fields.js';
import { VISIBLE, type ResolvedParams } from '../../params/schema.js';
import type { Resolved } from '../../store/settings.js';

export interface BuiltRequest {
  params: ResolvedParams;
  /** A local file to upload first; params.image is set to its URL after upload. */
  localImage?: string;
  warnings: string[];
}

export async function buildRequest(resolved: Resolved, prompt: string): Promise<BuiltRequest> {
  const warnings: string[] = [];
  const params: Record<string, unknown> = {};
  for (const f of MODEL_FIELDS) {
    if (f.key === 'prompt') continue;
    if (resolved.values[f.key] !== undefined) params[f.key] = resolved.values[f.key];
  }
  const p = prompt.trim();
  if (!VISIBLE.test(p))
    throw new UsageError(p ? 'The prompt has no visible character.' : 'The prompt is empty.', {
      suggestion: 'Give it as the first argument, e.g. flux-krea "a red fox in snow", or pipe it on stdin.',
    });
  // -1 is Segmind's documented "random"; picking it here keeps the seed that is sent, journaled
  // and named in files a real one (issue 11), where -1 would be recorded as if it were the seed.
  if (params.seed === undefined || params.seed === RANDOM_SEED) {
    params.seed = randomSeed();
    resolved.origins.seed = { source: 'random', where: 'picked at random' };
  } else if (params.seed === 0) {
    warnings.push('--seed 0 asks the server to pick a random seed: this run cannot be reproduced.');
  }
  let localImage: string | undefined;
  if (typeof params.image === 'string') {
    if (!/^https?:\/\//i.test(params.image)) {
      localImage = params.image;
      const problem = await checkLocalImage(localImage);
      if (problem) {
        throw new UsageError(`--image: ${JSON.stringify(localImage)} ${problem}.`, {
          suggestion: 'Pass an image URL, or the path of a local PNG, JPEG or WebP file.',
        });
      }
    }
  } else if (params.prompt_strength !== undefined) {
    warnings.push('--prompt-strength only applies with --image; it is sent but the model ignores it.');
  }
  return { params: { prompt: p, ...params } as ResolvedParams, localImage, warnings };
}
