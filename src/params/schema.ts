/**
 * The single source of truth for the model's parameters.
 *
 * Every flag, its alias, help text, default, allowed values and ranges live here, in one zod
 * object. The CLI reads it when it runs (fields.ts, through zod's public API): commander
 * options, validation, `--help`, `--dry-run` origins, completions and config keys. The README
 * tables are generated from it (`npm run docs`; a test fails when they drift). Adding a
 * parameter is one entry here, then `npm run docs`.
 *
 * Written with zod/mini, zod's own functional API for start-up sensitive code: the CLI builds
 * every schema on each start, and classic zod attaches all of its methods to every instance
 * (loading src/params cost 12.8 ms of CPU with classic zod, 4.8 ms with mini). In mini,
 * `.min(1)` is the check `z.minimum(1)`, `.default(x)` is `z._default(schema, x)`,
 * `.optional()` is `z.optional(schema)`, and `.meta({...})` is `.register(z.globalRegistry, {...})`.
 */
// The namespace import, as zod's docs write it, lets the bundler drop what is unused.
import * as z from 'zod/mini';
// By name: z.locales.en() through the namespace would bundle all of zod's 70 locales.
import { en } from 'zod/locales';

// zod/mini loads no locale, so its messages would all read "Invalid input"; the library's
// errors quote them ("num_outputs = 9: Too big: expected number to be <=4").
z.config(en());

/** Flag metadata registered on each zod field in `z.globalRegistry` (what `.meta()` does in classic zod). */
export interface FlagMeta {
  /** Long flag name without dashes, e.g. `aspect`. */
  flag: string;
  /** Single-letter short flag, if any. */
  short?: string;
  /** Extra long names accepted, e.g. the API name spelled as a flag. */
  aliases?: string[];
  /** Placeholder shown in help, e.g. `ratio`. */
  valueName?: string;
  /** What the flag means given without a value (`--preview` alone: `always`); without it, a value is required. */
  bare?: string;
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

/** Typed metadata for `.register(z.globalRegistry, …)`: the registry takes any object, this checks ours. */
export const flagMeta = (m: FlagMeta): FlagMeta & Record<string, unknown> => ({ ...m });
const meta = flagMeta;

/** A whole number from `min` to `max`, both included (classic zod's `.int().min(min).max(max)`). */
export const int = (min: number, max: number) => z.int().check(z.minimum(min), z.maximum(max));
/** A number from `min` to `max`, both included (classic zod's `.min(min).max(max)`). */
export const number = (min: number, max: number) => z.number().check(z.minimum(min), z.maximum(max));
/** A visible character: invisible ones alone (a zero-width space pasted from a web page) make no prompt. */
export const VISIBLE = /[^\s\p{Cf}]/u;

/**
 * A path, a URL or a name: something other than spaces. `minLength(1)` alone let `--out " "` (a
 * stray space, an unset variable inside quotes) pass, and a paid job then wrote its images into a
 * folder named " ".
 */
export const text = () => z.string().check(z.regex(/\S/, 'must not be blank'));

export const modelParamsSchema = z.strictObject({
  prompt: z
    .string()
    .check(z.trim(), z.minLength(1, 'must not be empty'), z.regex(VISIBLE, 'must have a visible character'))
    .register(
      z.globalRegistry,
      meta({
        flag: 'prompt',
        configurable: false,
        valueName: 'text',
        help: 'What to generate (the first argument; `-` reads stdin)',
      }),
    ),
  aspect_ratio: z._default(z.enum(ASPECT_RATIOS), '16:9').register(
    z.globalRegistry,
    meta({
      flag: 'aspect',
      short: 'a',
      aliases: ['aspect-ratio'],
      valueName: 'ratio',
      help: 'Aspect ratio of the image',
    }),
  ),
  megapixels: z
    ._default(z.enum(MEGAPIXELS), '1')
    .register(
      z.globalRegistry,
      meta({ flag: 'megapixels', short: 'm', valueName: 'mp', help: 'Image size in megapixels (sent as a string)' }),
    ),
  num_outputs: z
    ._default(int(1, 4), 2)
    .register(
      z.globalRegistry,
      meta({ flag: 'num-outputs', short: 'n', valueName: 'n', help: 'How many images to generate' }),
    ),
  guidance: z
    ._default(number(0, 10), 7)
    .register(
      z.globalRegistry,
      meta({ flag: 'guidance', short: 'g', valueName: 'x', help: 'How closely to follow the prompt' }),
    ),
  num_inference_steps: z._default(int(1, 50), 40).register(
    z.globalRegistry,
    meta({
      flag: 'steps',
      short: 's',
      aliases: ['num-inference-steps'],
      valueName: 'n',
      help: 'Denoising steps (more is slower, finer)',
    }),
  ),
  output_format: z
    ._default(z.enum(OUTPUT_FORMATS), 'jpg')
    .register(
      z.globalRegistry,
      meta({ flag: 'format', short: 'f', aliases: ['output-format'], valueName: 'fmt', help: 'Image file format' }),
    ),
  output_quality: z._default(int(0, 100), 90).register(
    z.globalRegistry,
    meta({
      flag: 'quality',
      aliases: ['output-quality'],
      valueName: 'n',
      help: 'Compression quality (ignored for png)',
    }),
  ),
  prompt_strength: z.optional(number(0, 1)).register(
    z.globalRegistry,
    meta({
      flag: 'prompt-strength',
      valueName: 'x',
      help: 'How much the prompt changes --image (img2img only; server default 0.7)',
    }),
  ),
  image: z.optional(text()).register(
    z.globalRegistry,
    meta({
      flag: 'image',
      short: 'i',
      configurable: false,
      valueName: 'path-or-url',
      complete: 'file',
      help: 'Input image for img2img: an http(s) URL, or a local file that is uploaded first',
    }),
  ),
  // z.int() is zod's safe-integer range: no bounds of our own to show.
  seed: z.optional(z.int()).register(
    z.globalRegistry,
    meta({
      flag: 'seed',
      valueName: 'n',
      defaultText: 'random, reported',
      help: 'Random seed; when omitted a random one is picked and reported',
    }),
  ),
  go_fast: z
    ._default(z.boolean(), true)
    .register(
      z.globalRegistry,
      meta({ flag: 'go-fast', help: 'Faster, not bit-for-bit deterministic (--no-go-fast to turn off)' }),
    ),
  disable_safety_checker: z
    ._default(z.boolean(), false)
    .register(z.globalRegistry, meta({ flag: 'disable-safety-checker', help: 'Turn off the safety checker' })),
});

export type ModelParams = z.output<typeof modelParamsSchema>;
export type ModelParamName = keyof ModelParams;
/** Parameters exactly as sent to the API (seed resolved). */
export type ResolvedParams = ModelParams & { seed: number };
