/**
 * The flags of `flux-krea batch`: the model parameters (defaults for every entry), the run
 * options that make sense for many jobs, and the batch's own options (params/batch-options.ts).
 */
import { BATCH_FIELDS, RUN_FIELDS, MODEL_FIELDS, type FieldSpec } from '../../params/fields.js';

export type { BatchOptions } from '../../params/batch-options.js';
export { BATCH_FIELDS };

/** Run options that make sense for a batch (`--sync`, `--open` and `-o -` do not). */
export const BATCH_RUN_FIELDS: readonly FieldSpec[] = RUN_FIELDS.filter((f) =>
  [
    'out',
    'timeout',
    'interval',
    'retries',
    'request_timeout',
    'max_cost',
    'metadata',
    'json',
    'dry_run',
    'quiet',
    'verbose',
  ].includes(f.key),
);

/** Model parameters given as flags are defaults for every entry; the prompt comes from the manifest. */
export const BATCH_MODEL_FIELDS: readonly FieldSpec[] = MODEL_FIELDS.filter((f) => f.key !== 'prompt');

export const ALL_BATCH_FIELDS: readonly FieldSpec[] = [...BATCH_MODEL_FIELDS, ...BATCH_RUN_FIELDS, ...BATCH_FIELDS];
