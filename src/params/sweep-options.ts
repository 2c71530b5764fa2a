/**
 * Options of a sweep (`--seed 1..8`, `--guidance 2,4,6`): the cap on its size. A sweep also
 * takes the batch engine's --concurrency, --rpm, --lock, --force and --fail-fast
 * (batch-options.ts), which fields.ts adds to the generate command as SWEEP_FIELDS.
 */
import * as z from 'zod';
import { flagMeta as meta } from './schema.js';

export const sweepOptionsSchema = z.strictObject({
  max_jobs: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(16)
    .meta(
      meta({
        flag: 'max-jobs',
        valueName: 'n',
        configurable: true,
        help: 'Most jobs a sweep may run; a larger one is refused before any request',
      }),
    ),
});

export type SweepOptions = z.output<typeof sweepOptionsSchema>;
