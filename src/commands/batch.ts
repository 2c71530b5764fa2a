/**
 * `flux-krea batch <manifest>`: many images from a list. Parses and presents; the work is in
 * src/core/batch/, loaded with the command bodies (run.ts) when a command runs, never for --help.
 */
import { Argument, Command } from 'commander';
import { completeAs } from '../cli/completions/hints.js';
import { addFieldOptions, collectFlags } from '../cli/flags.js';
import type { Context } from './shared/context.js';
import { EXIT_CODE_HELP } from './shared/exit-codes.js';
import { ALL_BATCH_FIELDS } from '../core/batch/options.js';

export const BATCH_HELP = `
The manifest: JSON Lines (one object per line), a JSON array, or plain text (one prompt per
line; blank lines and # comments are skipped). Each entry has a "prompt", any model parameter
by its API or flag name ("aspect_ratio" or "aspect"), and optionally "name" (the file stem)
and "out" (a directory, relative to -o). Flags are defaults for every entry; an entry's own
values win. The whole manifest is checked before anything is sent.

A "matrix" makes one entry per combination of its lists: a model parameter varies it, any
other key fills {key} placeholders in the prompt, name and out ({{ and }} are braces):
  {"name": "pets", "prompt": "a {animal} in {style}", "matrix": {"animal": ["fox", "owl"], "style": ["ink", "watercolor"], "seed": [1, 2]}}
is 8 jobs, each an ordinary lock entry (pets[animal=fox seed=1 style=ink]); cells without a
seed share one, so that they compare.

A lock file records each entry's request, request id and files (sizes, sha256): a rerun skips
what is done, fetches jobs that were paid for but not downloaded, and regenerates only what
changed. An entry without a seed gets one derived from its content, so reruns are stable.

Examples:
  $ flux-krea batch prompts.txt -o art/ --format png
  $ flux-krea batch assets.jsonl --concurrency 8 --rpm 50 --metadata sidecar
  $ flux-krea batch assets.jsonl --shard 2/4 --json     # one machine of a CI matrix
  $ flux-krea batch assets.jsonl --dry-run              # what would run; sends nothing
  $ flux-krea batch assets.jsonl --frozen               # CI check: all current? no key; exit 8 if not

A prompts.jsonl line: {"name": "hero", "prompt": "a lighthouse at dusk", "aspect_ratio": "21:9"}

--json prints JSON Lines: a line per entry as it finishes ({"type": "entry", ...}), then
one summary line, always last ({"type": "summary", "status", "counts", "cost", "lock", ...});
\`flux-krea schema batch\` describes both. On GitHub Actions a batch also appends a summary
table to GITHUB_STEP_SUMMARY and annotates the manifest's lines that failed.

Exit code: 0 when every entry is done or skipped; else the most serious failure's code
(130 > 3 > 4 > 5 > 2 > 9 > 1 > 7 > 6), or 1 when entries were left unrun by --fail-fast.
With --frozen: 0 when every entry is current, 8 when any would be generated.`;

/** Where a shared flag means something else for a batch than for one generation. */
const BATCH_MEANING: Record<string, string> = {
  '--seed': "Seed for every entry that gives none [default: derived from each entry's content, stable across reruns]",
  '--out': 'Base directory for the images; an entry\'s "out" is relative to it [default: .]',
  '--timeout':
    "Give up waiting for one entry's job after this many seconds (it stays in the lock file and is fetched on the next run) [default: 600]",
  '--dry-run': 'Show what each entry would do (submit, fetch by request id, skip); send nothing, need no key',
  '--json':
    'Print JSON Lines instead of paths: one line per entry as it finishes (status, request id, files, cost, error), then a summary line',
};

export function batchCommand(ctx: Context): Command {
  const cmd = new Command('batch')
    .description('Generate many images from a manifest, with concurrency, rate limits and free reruns')
    .addArgument(completeAs(new Argument('<manifest>', 'a .jsonl, .json or .txt file of entries'), 'file'));
  addFieldOptions(cmd, ALL_BATCH_FIELDS);
  for (const o of cmd.options) if (o.long && BATCH_MEANING[o.long]) o.description = BATCH_MEANING[o.long]!;
  cmd.addHelpText('after', `${BATCH_HELP}\n\n${EXIT_CODE_HELP}`);
  cmd.action(async (manifest: string) => {
    const { runBatch } = await import('./run.js');
    ctx.done?.(await runBatch(ctx, manifest, collectFlags(cmd, ALL_BATCH_FIELDS)));
  });
  return cmd;
}
