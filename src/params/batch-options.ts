/**
 * The batch command's own options, in a zod schema like the model and run options: the one
 * place where their names, help, defaults and checks are written. It lives with the other
 * schemas (not in core/batch) because config keys include --concurrency and --rpm, and params
 * is the bottom layer.
 */
import * as z from 'zod/mini';
import { flagMeta as meta, int, text } from './schema.js';

export const batchOptionsSchema = z.strictObject({
  concurrency: z
    ._default(int(1, 64), 4)
    .register(
      z.globalRegistry,
      meta({ flag: 'concurrency', valueName: 'n', configurable: true, help: 'Jobs in flight at once' }),
    ),
  rpm: z._default(int(0, 100_000), 0).register(
    z.globalRegistry,
    meta({
      flag: 'rpm',
      valueName: 'n',
      configurable: true,
      help: 'Most submits per minute (Segmind: 5 on the free plan, 50 on Pro); 0 = no cap, a 429 still slows the whole batch',
    }),
  ),
  fail_fast: z._default(z.boolean(), false).register(
    z.globalRegistry,
    meta({
      flag: 'fail-fast',
      help: 'Submit nothing more after the first failed entry (jobs in flight still finish)',
    }),
  ),
  force: z
    ._default(z.boolean(), false)
    .register(
      z.globalRegistry,
      meta({ flag: 'force', help: 'Regenerate every entry, even those the lock file says are done' }),
    ),
  verify: z._default(z.boolean(), false).register(
    z.globalRegistry,
    meta({
      flag: 'verify',
      help: 'Check every finished image by its sha256, not only by its size and modification time',
    }),
  ),
  lock: z.optional(text()).register(
    z.globalRegistry,
    meta({
      flag: 'lock',
      valueName: 'file',
      complete: 'file',
      help: 'Lock file [default: <manifest>.lock.json; with --shard i/n: <manifest>.shard-i-of-n.lock.json]',
    }),
  ),
  gallery: z.optional(text()).register(
    z.globalRegistry,
    meta({
      flag: 'gallery',
      valueName: 'file',
      complete: 'file',
      help: 'At the end, write a self-contained HTML gallery of the batch (as `flux-krea gallery <lock>`)',
    }),
  ),
  frozen: z._default(z.boolean(), false).register(
    z.globalRegistry,
    meta({
      flag: 'frozen',
      help: 'Check, without a key or any request, that every entry is in the lock with its files intact; exit 8 naming each entry that would be generated',
    }),
  ),
  shard: z.optional(text()).register(
    z.globalRegistry,
    meta({
      flag: 'shard',
      valueName: 'i/n',
      help: 'Run only share i of n (1-based), for a CI matrix; shares are disjoint and together complete',
    }),
  ),
});

export type BatchOptions = z.output<typeof batchOptionsSchema>;
