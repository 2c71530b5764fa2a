/**
 * The request recorded with an image (its embedded metadata or `.json` sidecar), turned back
 * into model parameters for `flux-krea again`. Each recorded value is checked with the same
 * schema as a flag; whatever cannot be restored (a parameter this version does not know, a
 * value it no longer allows, an input image that was a local file) is named, never dropped
 * in silence.
 */
import { isFluxKreaError } from '../errors.js';
import { coerce } from '../params/coerce.js';
import { MODEL_FIELDS } from '../params/fields.js';
import type { Provenance } from '../output/metadata.js';

export interface Unrestored {
  key: string;
  why: string;
}

export interface Restored {
  prompt: string;
  /** Model parameters by API name (prompt apart), each checked with the schema. */
  values: Record<string, unknown>;
  unrestored: Unrestored[];
  /**
   * go_fast was on (Segmind's default, also when the record does not say): the image cannot
   * be made again bit for bit, only closely.
   */
  goFast: boolean;
}

export function restoreParams(p: Provenance): Restored {
  const values: Record<string, unknown> = {};
  const unrestored: Unrestored[] = [];
  for (const [key, raw] of Object.entries(p.params)) {
    if (key === 'prompt' || raw === null || raw === undefined) continue;
    const field = MODEL_FIELDS.find((f) => f.key === key);
    if (!field) {
      unrestored.push({ key, why: 'not a parameter this version of flux-krea knows' });
      continue;
    }
    if (key === 'image' && !(typeof raw === 'string' && /^https?:\/\//i.test(raw))) {
      unrestored.push({ key, why: 'the input image was not recorded as a URL' });
      continue;
    }
    try {
      values[key] = coerce(field, raw, `recorded ${key}`);
    } catch (e) {
      if (!isFluxKreaError(e)) throw e;
      unrestored.push({ key, why: e.message.replace(/^recorded \S+: /, '') });
    }
  }
  const prompt = typeof p.params.prompt === 'string' && p.params.prompt.trim() ? p.params.prompt : p.prompt;
  return { prompt, values, unrestored, goFast: values.go_fast !== false };
}
