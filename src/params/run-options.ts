/**
 * Run options: flags that steer the CLI rather than the model. Same shape as the model schema
 * so that flags, config keys, completions and docs derive from one place.
 */
import * as z from 'zod/mini';
import { flagMeta as meta, int, number, text } from './schema.js';

export const runOptionsSchema = z.strictObject({
  sync: z._default(z.boolean(), false).register(
    z.globalRegistry,
    meta({
      flag: 'sync',
      configurable: true,
      help: 'One blocking v1 call instead of submit + poll, for one image (with -n above 1, submit + poll is used: v1 returns one); it waits at least 300 s for the answer and has no request id, so Ctrl-C waits for it',
    }),
  ),
  out: z._default(text(), '.').register(
    z.globalRegistry,
    meta({
      flag: 'out',
      short: 'o',
      valueName: 'dir',
      complete: 'dir',
      configurable: true,
      help: 'Directory for the images (created if missing; `-` writes one image to stdout)',
    }),
  ),
  timeout: z._default(number(1, 86_400), 600).register(
    z.globalRegistry,
    meta({
      flag: 'timeout',
      valueName: 'seconds',
      configurable: true,
      help: 'Give up waiting after this long (the job keeps its request id; exit 7)',
    }),
  ),
  interval: z
    ._default(number(0.01, 60), 1)
    .register(
      z.globalRegistry,
      meta({ flag: 'interval', valueName: 'seconds', configurable: true, help: 'Seconds between status polls' }),
    ),
  retries: z._default(int(0, 20), 4).register(
    z.globalRegistry,
    meta({
      flag: 'retries',
      valueName: 'n',
      configurable: true,
      help: 'Retries for each request on network errors, 429 and 5xx',
    }),
  ),
  request_timeout: z._default(number(1, 3600), 60).register(
    z.globalRegistry,
    meta({
      flag: 'request-timeout',
      valueName: 'seconds',
      configurable: true,
      help: 'Per-request limit for connecting and for silence while reading an answer',
    }),
  ),
  max_cost: z.optional(number(0, 1_000_000)).register(
    z.globalRegistry,
    meta({
      flag: 'max-cost',
      valueName: 'credits',
      configurable: true,
      help: 'Never submit a job that could take this run past this many credits; a stop exits 4 and says how to continue (README: Money)',
    }),
  ),
  metadata: z._default(z.enum(['none', 'sidecar', 'embed']), 'none').register(
    z.globalRegistry,
    meta({
      flag: 'metadata',
      valueName: 'mode',
      configurable: true,
      help: 'Write provenance (prompt, parameters, seed): a <file>.json sidecar, or embedded in the image',
    }),
  ),
  json: z
    ._default(z.boolean(), false)
    .register(z.globalRegistry, meta({ flag: 'json', help: 'Print one JSON object on stdout instead of paths' })),
  dry_run: z
    ._default(z.boolean(), false)
    .register(
      z.globalRegistry,
      meta({ flag: 'dry-run', help: 'Print the endpoint and exact JSON body; send nothing' }),
    ),
  quiet: z._default(z.boolean(), false).register(
    z.globalRegistry,
    meta({
      flag: 'quiet',
      short: 'q',
      configurable: true,
      help: 'No progress or summary on stderr (errors still shown)',
    }),
  ),
  verbose: z
    ._default(z.boolean(), false)
    .register(
      z.globalRegistry,
      meta({ flag: 'verbose', help: 'Show each HTTP exchange on stderr (the key redacted)' }),
    ),
  preview: z._default(z.enum(['auto', 'always', 'never']), 'auto').register(
    z.globalRegistry,
    meta({
      flag: 'preview',
      valueName: 'when',
      bare: 'always',
      configurable: true,
      help: 'Draw the saved images on stderr: auto (in terminals known to show pictures: kitty, Ghostty, Konsole, iTerm2, WezTerm), always (also sixel, else coloured blocks; what --preview alone means), never',
    }),
  ),
  open: z
    ._default(z.boolean(), false)
    .register(z.globalRegistry, meta({ flag: 'open', help: 'Open the saved images with the system viewer' })),
});

export type RunOptions = z.output<typeof runOptionsSchema>;
export type RunOptionName = keyof RunOptions;
