/** The body of `flux-krea schema`: the schemas are bundled from schemas/*.json, the one copy. */
import type { Context } from './shared/context.js';
import type { SchemaName } from './schema.js';
import auth from '../../schemas/auth.json' with { type: 'json' };
import batch from '../../schemas/batch.json' with { type: 'json' };
import batchPlan from '../../schemas/batch-plan.json' with { type: 'json' };
import config from '../../schemas/config.json' with { type: 'json' };
import credits from '../../schemas/credits.json' with { type: 'json' };
import dryRun from '../../schemas/dry-run.json' with { type: 'json' };
import error from '../../schemas/error.json' with { type: 'json' };
import generate from '../../schemas/generate.json' with { type: 'json' };
import jobs from '../../schemas/jobs.json' with { type: 'json' };
import result from '../../schemas/result.json' with { type: 'json' };
import status from '../../schemas/status.json' with { type: 'json' };
import sweep from '../../schemas/sweep.json' with { type: 'json' };
import inspect from '../../schemas/inspect.json' with { type: 'json' };

export const SCHEMAS: Record<SchemaName, { title: string; description: string }> = {
  generate,
  'dry-run': dryRun,
  result,
  status,
  jobs,
  batch,
  'batch-plan': batchPlan,
  sweep,
  inspect,
  error,
  credits,
  config,
  auth,
};

/** Prints one schema, or (no name, or --list) the list of them. */
export function runSchema(ctx: Context, name: SchemaName | undefined): void {
  if (name) {
    ctx.stdout.write(`${JSON.stringify(SCHEMAS[name], null, 2)}\n`);
    return;
  }
  const width = Math.max(...Object.keys(SCHEMAS).map((n) => n.length)) + 2;
  for (const [n, s] of Object.entries(SCHEMAS))
    ctx.stdout.write(`${n.padEnd(width)}${s.title.replace(/^flux-krea /, '')}\n`);
}
