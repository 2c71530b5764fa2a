/**
 * Run options: flags that steer the CLI rather than the model. Same shape as the model schema
 * so that flags, config keys, completions and docs derive from one place.
 */
import * as z from 'zod';
import { flagMeta as meta } from './schema.js';

export const runOptionsSchema = z.strictObject({
  sync: z
    .boolean()
    .default(false)
    .meta(
      meta({
        flag: 'sync',
        configurable: true,
        help: 'One blocking v1 call instead of submit + poll, for one image (with -n above 1, submit + poll is used: v1 returns one); it waits at least 300 s for the answer and has no request id, so Ctrl-C waits for it',
      }),
    ),
  out: z
    .string()
    .min(1)
    .default('.')
    .meta(
      meta({
        flag: 'out',
        short: 'o',
        valueName: 'dir',
        complete: 'dir',
        configurable: true,
        help: 'Directory for the images (created if missing; `-` writes one image to stdout)',
      }),
    ),
  timeout: z
    .number()
    .min(1)
    .max(86_400)
    .default(600)
    .meta(
      meta({
        flag: 'timeout',
        valueName: 'seconds',
        configurable: true,
        help: 'Give up waiting after this long (the job keeps its request id; exit 7)',
      }),
    ),
  interval: z
    .number()
    .min(0.01)
    .max(60)
    .default(1)
    .meta(meta({ flag: 'interval', valueName: 'seconds', configurable: true, help: 'Seconds between status polls' })),
  retries: z
    .number()
    .int()
    .min(0)
    .max(20)
    .default(4)
    .meta(
      meta({
        flag: 'retries',
        valueName: 'n',
        configurable: true,
        help: 'Retries for each request on network errors, 429 and 5xx',
      }),
    ),
  request_timeout: z
    .number()
    .min(1)
    .max(3600)
    .default(60)
    .meta(
      meta({
        flag: 'request-timeout',
        valueName: 'seconds',
        configurable: true,
        help: 'Per-request limit for connecting and for silence while reading an answer',
      }),
    ),
  max_cost: z
    .number()
    .min(0)
    .max(1_000_000)
    .optional()
    .meta(
      meta({
        flag: 'max-cost',
        valueName: 'credits',
        configurable: true,
        help: 'Never submit a job that could take this run past this many credits; a stop exits 4 and says how to continue (README: Money)',
      }),
    ),
  metadata: z
    .enum(['none', 'sidecar', 'embed'])
    .default('none')
    .meta(
      meta({
        flag: 'metadata',
        valueName: 'mode',
        configurable: true,
        help: 'Write provenance (prompt, parameters, seed): a <file>.json sidecar, or embedded in the image',
      }),
    ),
  json: z
    .boolean()
    .default(false)
    .meta(meta({ flag: 'json', help: 'Print one JSON object on stdout instead of paths' })),
  dry_run: z
    .boolean()
    .default(false)
    .meta(meta({ flag: 'dry-run', help: 'Print the endpoint and exact JSON body; send nothing' })),
  quiet: z
    .boolean()
    .default(false)
    .meta(
      meta({
        flag: 'quiet',
        short: 'q',
        configurable: true,
        help: 'No progress or summary on stderr (errors still shown)',
      }),
    ),
  verbose: z
    .boolean()
    .default(false)
    .meta(meta({ flag: 'verbose', help: 'Show each HTTP exchange on stderr (the key redacted)' })),
  preview: z
    .enum(['auto', 'always', 'never'])
    .default('auto')
    .meta(
      meta({
        flag: 'preview',
        valueName: 'when',
        configurable: true,
        help: 'Draw the saved images on stderr: auto (in terminals known to show pictures: kitty, Ghostty, Konsole, iTerm2, WezTerm), always (also sixel, else coloured blocks), never',
      }),
    ),
  open: z
    .boolean()
    .default(false)
    .meta(meta({ flag: 'open', help: 'Open the saved images with the system viewer' })),
});

export type RunOptions = z.output<typeof runOptionsSchema>;
export type RunOptionName = keyof RunOptions;
