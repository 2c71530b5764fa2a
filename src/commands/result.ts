/** `flux-krea result <id>`, `flux-krea status <id>`, `flux-krea jobs`: resume and inspect jobs without paying again. */
import { Argument, Command } from 'commander';
import { completeAs } from '../cli/completions/hints.js';
import { RUN_FIELDS, type FieldSpec } from '../params/fields.js';
import { addFieldOptions, collectFlags, describeAs } from '../cli/flags.js';
import type { Context } from './shared/context.js';

const pick = (...keys: string[]): FieldSpec[] => RUN_FIELDS.filter((f) => keys.includes(f.key));
export const RESULT_FIELDS = pick(
  'out',
  'json',
  'timeout',
  'interval',
  'retries',
  'request_timeout',
  'quiet',
  'verbose',
  'open',
);
export const STATUS_FIELDS = pick('json', 'retries', 'request_timeout', 'verbose');

export function resultCommand(ctx: Context): Command {
  const cmd = new Command('result')
    .description('Wait for a job if needed and download its images; submits nothing')
    .addArgument(
      completeAs(
        new Argument('<request-id>', 'the request id printed when the job was submitted (see `flux-krea jobs`)'),
        'request-id',
      ),
    );
  addFieldOptions(cmd, RESULT_FIELDS);
  describeAs(cmd, {
    '--out':
      'Directory for the images [default: the one the original run saved into]; `-` writes the one image to stdout',
    '--json': 'Print one JSON object on stdout (request id, status, files) instead of paths',
  });
  cmd.addHelpText(
    'after',
    '\nExamples:\n  $ flux-krea result 3f0c9a2e-... -o art/\n  $ flux-krea result 3f0c9a2e-... --json\n  $ flux-krea result 3f0c9a2e-... -o - > image.jpg\n\nResults are kept on the server for 1 hour. Images already saved are listed, not downloaded again.',
  );
  cmd.action(async (id: string) => {
    const { runResult } = await import('./run.js');
    ctx.done?.(await runResult(ctx, id, collectFlags(cmd, RESULT_FIELDS)));
  });
  return cmd;
}

export function statusCommand(ctx: Context): Command {
  const cmd = new Command('status')
    .description('Check a job once: QUEUED, PROCESSING, COMPLETED or FAILED')
    .addArgument(completeAs(new Argument('<request-id>', 'the request id'), 'request-id'));
  addFieldOptions(cmd, STATUS_FIELDS);
  describeAs(cmd, { '--json': 'Print one JSON object on stdout (request_id, status, error) instead of the state' });
  cmd.addHelpText(
    'after',
    "\nExamples:\n  $ flux-krea status 3f0c9a2e-...\n  $ flux-krea status 3f0c9a2e-... --json\n\nA FAILED job exits 6 with the server's detail.",
  );
  cmd.action(async (id: string) => {
    const { runStatus } = await import('./run.js');
    ctx.done?.(await runStatus(ctx, id, collectFlags(cmd, STATUS_FIELDS)));
  });
  return cmd;
}

export function jobsCommand(ctx: Context): Command {
  return new Command('jobs')
    .description('Recent jobs from the local journal, and which still have images to fetch')
    .option('--json', 'print a JSON object: jobs, newest first')
    .option('--limit <n>', 'how many jobs to show [default: 20, or all with --since]')
    .option('--since <span>', 'only jobs of the last span (30m, 12h, 7d, 2w), with the credits they cost in total')
    .addHelpText(
      'after',
      '\nExamples:\n  $ flux-krea jobs\n  $ flux-krea jobs --json --limit 5\n  $ flux-krea jobs --since 7d\n\nJobs still fetchable (results live 1 hour) show their resume command. COST is what Segmind\nreported for the job (- when it did not say). The journal keeps the last 500 jobs.',
    )
    .action(async (opts: { json?: boolean; limit?: string; since?: string }) => {
      const { runJobs } = await import('./run.js');
      await runJobs(ctx, opts);
    });
}
