/** The pieces of `--json` output that `generate` and `result` share, so both print one shape. */
import type { Metrics } from '../../api/client.js';
import type { SavedImage } from '../../output/download.js';

export function filesJson(files: SavedImage[]): { path: string; bytes: number; format: string }[] {
  return files.map((f) => ({ path: f.path, bytes: f.bytes, format: f.format }));
}

/** Snake case, as the API names them; absent values are left out, except inference_time (null). */
export function metricsJson(m: Metrics): Record<string, number | null> {
  return {
    inference_time: m.inferenceTime ?? null,
    ...(m.cost !== undefined ? { cost: m.cost } : {}),
    ...(m.remainingCredits !== undefined ? { remaining_credits: m.remainingCredits } : {}),
  };
}
