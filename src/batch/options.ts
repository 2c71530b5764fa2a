/**
 * The batch command's own options, in a zod schema like the model and run options, so that
 * flags, help text, checks and completions derive from one place.
 */
import { z } from 'zod';
import { describe, RUN_FIELDS, MODEL_FIELDS, type FieldSpec } from '../params/fields.js';
import type { FlagMeta } from '../params/schema.js';

const meta = (m: FlagMeta & { configurable?: boolean }): Record<string, unknown> => ({ api: false, ...m });

export const batchOptionsSchema = z.strictObject({
  concurrency: z.number().int().min(1).max(64).default(4)
    .meta(meta({ flag: 'concurrency', valueName: 'n', configurable: true, help: 'Jobs in flight at once' })),
  rpm: z.number().int().min(0).max(100_000).default(0)
    .meta(meta({ flag: 'rpm', valueName: 'n', configurable: true, help: 'Most submits per minute (Segmind: 5 on the free plan, 50 on Pro); 0 = no cap, a 429 still slows the whole batch' })),
  fail_fast: z.boolean().default(false)
    .meta(meta({ flag: 'fail-fast', help: 'Submit nothing more after the first failed entry (jobs in flight still finish)' })),
  force: z.boolean().default(false)
    .meta(meta({ flag: 'force', help: 'Regenerate every entry, even those the lock file says are done' })),
  lock: z.string().min(1).optional()
    .meta(meta({ flag: 'lock', valueName: 'file', complete: 'file', help: 'Lock file [default: <manifest>.lock.json; with --shard i/n: <manifest>.shard-i-of-n.lock.json]' })),
  shard: z.string().min(1).optional()
    .meta(meta({ flag: 'shard', valueName: 'i/n', help: 'Run only share i of n (1-based), for a CI matrix; shares are disjoint and together complete' })),
});

export type BatchOptions = z.output<typeof batchOptionsSchema>;

export const BATCH_FIELDS: readonly FieldSpec[] = describe(batchOptionsSchema.shape, 'run');

/** Run options that make sense for a batch (`--sync`, `--open` and `-o -` do not). */
export const BATCH_RUN_FIELDS: readonly FieldSpec[] = RUN_FIELDS.filter((f) =>
  ['out', 'timeout', 'interval', 'retries', 'request_timeout', 'metadata', 'json', 'dry_run', 'quiet', 'verbose'].includes(f.key));

/** Model parameters given as flags are defaults for every entry; the prompt comes from the manifest. */
export const BATCH_MODEL_FIELDS: readonly FieldSpec[] = MODEL_FIELDS.filter((f) => f.key !== 'prompt');

export const ALL_BATCH_FIELDS: readonly FieldSpec[] = [...BATCH_MODEL_FIELDS, ...BATCH_RUN_FIELDS, ...BATCH_FIELDS];
