/**
 * Options of a sweep (`--seed 1..8`, `--guidance 2,4,6`): the cap on its size. A sweep also
 * takes the batch engine's --concurrency, --rpm, --lock, --force and --fail-fast
 * (batch-options.ts), which fields.ts adds to the generate command as SWEEP_FIELDS.
 */
import * as z from 'zod/mini';
import { flagMeta as meta, int } from './schema.js';

export const sweepOptionsSchema = z.strictObject({
  max_jobs: z._default(int(1, 10_000), 16).register(
    z.globalRegistry,
    meta({
      flag: 'max-jobs',
      valueName: 'n',
      configurable: true,
      help: 'Most jobs a sweep may run; a larger one is refused before any request',
    }),
  ),
});

export type SweepOptions = z.output<typeof sweepOptionsSchema>;

/**
 * What the batch engine's options mean in a sweep, where their batch help (manifest, entries)
 * would mislead: used for generate's and again's --help and the README's table.
 */
export const SWEEP_HELP: Record<string, string> = {
  concurrency: "A sweep's jobs in flight at once",
  rpm: 'Most submits per minute for a sweep (Segmind: 5 on the free plan, 50 on Pro); 0 = no cap',
  lock: 'Lock file for a sweep: a rerun skips what is done and fetches what was paid for, so it pays nothing',
  force: 'With --lock: regenerate every job of the sweep, even those the lock says are done',
  fail_fast: 'In a sweep: submit nothing more after the first failed job',
};
