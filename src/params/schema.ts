/**
 * The single source of truth for the model's parameters.
 *
 * Every flag, its alias, help text, default, allowed values and ranges live here, in one zod
 * object. The CLI reads it when it runs (fields.ts, through zod's public API): commander
 * options, validation, `--help`, `--dry-run` origins, completions and config keys. The README
 * tables are generated from it (`npm run docs`; a test fails when they drift). Adding a
 * parameter is one entry here, then `npm run docs`.
 */
// The namespace import, as zod's docs write it, lets the bundler drop what is unused (its 40 locales).
import * as z from 'zod';

/** Flag metadata carried on each zod field with `.meta()`. */
export interface FlagMeta {
  /** Long flag name without dashes, e.g. `aspect`. */
  flag: string;
  /** Single-letter short flag, if any. */
  short?: string;
  /** Extra long names accepted, e.g. the API name spelled as a flag. */
  aliases?: string[];
  /** Placeholder shown in help, e.g. `ratio`. */
  valueName?: string;
  help: string;
  /** Completion hint for free-form values. */
  complete?: 'file' | 'dir';
  /**
   * Whether `config set`, project files and FLUX_KREA_<FLAG> may hold it. Model parameters
   * may unless they say otherwise; run options only when they say so.
   */
  configurable?: boolean;
  /** What help and docs show as the default when the schema has none, e.g. the random seed. */
  defaultText?: string;
}

export const ASPECT_RATIOS = ['1:1', '16:9', '21:9', '3:2', '2:3', '4:5', '5:4', '3:4', '4:3', '9:16', '9:21'] as const;
export const MEGAPIXELS = ['1', '0.25'] as const;
export const OUTPUT_FORMATS = ['webp', 'jpg', 'png'] as const;

/** Typed `.meta()` argument: zod's registry takes any object, this checks ours. */
export const flagMeta = (m: FlagMeta): FlagMeta & Record<string, unknown> => ({ ...m });
const meta = flagMeta;

export const modelParamsSchema = z.strictObject({
  prompt: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .meta(
      meta({
        flag: 'prompt',
        configurable: false,
        valueName: 'text',
        help: 'What to generate (the first argument; `-` reads stdin)',
      }),
    ),
  aspect_ratio: z
    .enum(ASPECT_RATIOS)
    .default('16:9')
    .meta(
      meta({
        flag: 'aspect',
        short: 'a',
        aliases: ['aspect-ratio'],
        valueName: 'ratio',
        help: 'Aspect ratio of the image',
      }),
    ),
  megapixels: z
    .enum(MEGAPIXELS)
    .default('1')
    .meta(
      meta({ flag: 'megapixels', short: 'm', valueName: 'mp', help: 'Image size in megapixels (sent as a string)' }),
    ),
  num_outputs: z
    .number()
    .int()
    .min(1)
    .max(4)
    .default(2)
    .meta(meta({ flag: 'num-outputs', short: 'n', valueName: 'n', help: 'How many images to generate' })),
  guidance: z
    .number()
    .min(0)
    .max(10)
    .default(7)
    .meta(meta({ flag: 'guidance', short: 'g', valueName: 'x', help: 'How closely to follow the prompt' })),
  num_inference_steps: z
    .number()
    .int()
    .min(1)
    .max(50)
    .default(40)
    .meta(
      meta({
        flag: 'steps',
        short: 's',
        aliases: ['num-inference-steps'],
        valueName: 'n',
        help: 'Denoising steps (more is slower, finer)',
      }),
    ),
  output_format: z
    .enum(OUTPUT_FORMATS)
    .default('jpg')
    .meta(
      meta({ flag: 'format', short: 'f', aliases: ['output-format'], valueName: 'fmt', help: 'Image file format' }),
    ),
  output_quality: z
    .number()
    .int()
    .min(0)
    .max(100)
    .default(90)
    .meta(
      meta({
        flag: 'quality',
        aliases: ['output-quality'],
        valueName: 'n',
        help: 'Compression quality (ignored for png)',
      }),
    ),
  prompt_strength: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .meta(
      meta({
        flag: 'prompt-strength',
        valueName: 'x',
        help: 'How much the prompt changes --image (img2img only; server default 0.7)',
      }),
    ),
  image: z
    .string()
    .min(1)
    .optional()
    .meta(
      meta({
        flag: 'image',
        short: 'i',
        configurable: false,
        valueName: 'path-or-url',
        complete: 'file',
        help: 'Input image for img2img: an http(s) URL, or a local file that is uploaded first',
      }),
    ),
  // .int() is zod's safe-integer range: no bounds of our own to show.
  seed: z
    .number()
    .int()
    .optional()
    .meta(
      meta({
        flag: 'seed',
        valueName: 'n',
        defaultText: 'random, reported',
        help: 'Random seed; when omitted a random one is picked and reported',
      }),
    ),
  go_fast: z
    .boolean()
    .default(true)
    .meta(meta({ flag: 'go-fast', help: 'Faster, not bit-for-bit deterministic (--no-go-fast to turn off)' })),
  disable_safety_checker: z
    .boolean()
    .default(false)
    .meta(meta({ flag: 'disable-safety-checker', help: 'Turn off the safety checker' })),
});

export type ModelParams = z.output<typeof modelParamsSchema>;
export type ModelParamName = keyof ModelParams;
/** Parameters exactly as sent to the API (seed resolved). */
export type ResolvedParams = ModelParams & { seed: number };
