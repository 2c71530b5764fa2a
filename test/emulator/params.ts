// Validation of the flux-krea-dev body, as strict as the contract's parameter table, so a
// client that sends a wrong type or range learns it from a 400 here rather than in production.

export type OutputFormat = 'webp' | 'jpg' | 'png';

export interface ModelParams {
  prompt: string;
  aspect_ratio: string;
  megapixels: '1' | '0.25';
  num_outputs: number;
  guidance: number;
  num_inference_steps: number;
  output_format: OutputFormat;
  output_quality: number;
  prompt_strength: number;
  seed: number;
  go_fast: boolean;
  disable_safety_checker: boolean;
  image: string | null;
}

/** Pixel sizes at 1 MP, from the contract. */
const SIZES_1MP: Record<string, [number, number]> = {
  '1:1': [1024, 1024],
  '16:9': [1344, 768],
  '21:9': [1536, 640],
  '3:2': [1216, 832],
  '2:3': [832, 1216],
  '4:5': [896, 1088],
  '5:4': [1088, 896],
  '3:4': [896, 1152],
  '4:3': [1152, 896],
  '9:16': [768, 1344],
  '9:21': [640, 1536],
};

export const ASPECT_RATIOS = Object.keys(SIZES_1MP);

const DEFAULTS: Omit<ModelParams, 'prompt'> = {
  aspect_ratio: '16:9',
  megapixels: '1',
  num_outputs: 2,
  guidance: 7,
  num_inference_steps: 40,
  output_format: 'jpg',
  output_quality: 90,
  prompt_strength: 0.7,
  seed: 42,
  go_fast: true,
  disable_safety_checker: false,
  image: null,
};

export type Validation = { ok: true; params: ModelParams } | { ok: false; error: string };

type Check = (value: unknown) => string | undefined;

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function numberIn(min: number, max: number, integer: boolean): Check {
  return (v) => {
    if (!isNumber(v) || (integer && !Number.isInteger(v))) {
      return `must be ${integer ? 'an integer' : 'a number'} between ${min} and ${max}`;
    }
    return v < min || v > max ? `must be between ${min} and ${max}, got ${v}` : undefined;
  };
}

function oneOf(values: readonly unknown[]): Check {
  return (v) => (values.includes(v) ? undefined : `must be one of ${values.map((x) => JSON.stringify(x)).join(', ')}`);
}

const isBoolean: Check = (v) => (typeof v === 'boolean' ? undefined : 'must be a boolean');

const CHECKS: Record<keyof ModelParams, Check> = {
  prompt: (v) => (typeof v !== 'string' ? 'must be a string' : v.trim() === '' ? 'must not be empty' : undefined),
  aspect_ratio: oneOf(ASPECT_RATIOS),
  // The model page calls it a number, the SDK sends a string: the emulator takes both.
  megapixels: oneOf(['1', '0.25', 1, 0.25]),
  num_outputs: numberIn(1, 4, true),
  guidance: numberIn(0, 10, false),
  num_inference_steps: numberIn(1, 50, true),
  output_format: oneOf(['webp', 'jpg', 'png']),
  output_quality: numberIn(0, 100, true),
  prompt_strength: numberIn(0, 1, false),
  seed: (v) => (isNumber(v) && Number.isSafeInteger(v) ? undefined : 'must be an integer'),
  go_fast: isBoolean,
  disable_safety_checker: isBoolean,
  image: (v) => {
    if (v === null) return undefined;
    if (typeof v !== 'string') return 'must be a URL string';
    // Raw base64 in `image` is an unknown for this model; the emulator plays "URLs only".
    try {
      const scheme = new URL(v).protocol;
      return ['http:', 'https:', 'data:'].includes(scheme) ? undefined : 'must be an http(s) or data: URL';
    } catch {
      return 'must be a URL';
    }
  },
};

export function validateParams(body: unknown): Validation {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, error: 'Request body must be a JSON object' };
  }
  const input = body as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!(key in CHECKS)) return { ok: false, error: `Unknown parameter "${key}"` };
  }
  if (!('prompt' in input)) return { ok: false, error: 'Parameter "prompt" is required' };
  for (const [key, check] of Object.entries(CHECKS)) {
    if (!(key in input)) continue;
    const problem = check(input[key]);
    if (problem) return { ok: false, error: `Parameter "${key}" ${problem}` };
  }
  const merged = { ...DEFAULTS, ...input } as ModelParams & { megapixels: unknown };
  merged.megapixels = String(merged.megapixels) as ModelParams['megapixels'];
  return { ok: true, params: merged as ModelParams };
}

/** Output size: the aspect ratio table (halved at 0.25 MP), or 1024×1024 for img2img. */
export function imageSize(params: ModelParams): { width: number; height: number } {
  // The real model follows the input image's size; the emulator never fetches it.
  if (params.image) return { width: 1024, height: 1024 };
  const [w, h] = SIZES_1MP[params.aspect_ratio] ?? [1024, 1024];
  const factor = params.megapixels === '0.25' ? 2 : 1;
  return { width: w / factor, height: h / factor };
}
