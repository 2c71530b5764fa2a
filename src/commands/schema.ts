/**
 * `flux-krea schema [name]`: the JSON Schema (draft 2020-12) of a `--json` document, as
 * shipped in the package's schemas/ folder; `--list` names them. The schemas load only when
 * this command runs.
 */
import { Argument, Command } from 'commander';
import type { Context } from './shared/context.js';

/** Every schema in schemas/, by name (a test fails when this list and the folder differ). */
export const SCHEMA_NAMES = [
  'generate',
  'dry-run',
  'result',
  'status',
  'jobs',
  'batch',
  'batch-plan',
  'sweep',
  'inspect',
  'error',
  'credits',
  'config',
  'auth',
] as const;
export type SchemaName = (typeof SCHEMA_NAMES)[number];

const HELP = `
Every --json document carries "schema_version": 1. Version 1 may gain fields; it never
loses or changes one. batch --json is JSON Lines: one "entry" line per finished entry,
then a "summary" line, always last. The same files ship in the package's schemas/ folder.

Examples:
  $ flux-krea schema --list
  $ flux-krea schema generate > generate.schema.json
  $ flux-krea schema batch | jq '.["$defs"].summary.required'`;

export function schemaCommand(ctx: Context): Command {
  const cmd = new Command('schema')
    .description('Print the JSON Schema of a --json document')
    .addArgument(new Argument('[name]', 'which document').choices(SCHEMA_NAMES))
    .option('--list', 'list the schemas, one a line, with what each describes')
    .addHelpText('after', HELP);
  cmd.action(async (name: SchemaName | undefined) => {
    const { runSchema } = await import('./run.js');
    runSchema(ctx, name);
  });
  return cmd;
}
