/**
 * `flux-krea inspect <image...>`: what made an image, read from the record it carries
 * (--metadata embed) or its `.json` sidecar (--metadata sidecar). The reading is in
 * run-inspect.ts, loaded with the command bodies (run.ts) when a command runs.
 */
import { Argument, Command } from 'commander';
import { completeAs } from '../cli/completions/hints.js';
import type { Context } from './shared/context.js';

const HELP = `
Reads the record flux-krea writes with --metadata embed (inside the PNG, JPEG or WebP file) or
--metadata sidecar (<image>.json beside it): prompt, every parameter, seed, request id, model,
date, and the job's cost when Segmind said. Make one again with \`flux-krea again <image>\`.

Examples:
  $ flux-krea inspect hero.png
  $ flux-krea inspect art/*.jpg --json | jq '.images[].seed'

Exit code: 0 when every image has a record; 1 when one has none; 2 when one cannot be read.`;

export function inspectCommand(ctx: Context): Command {
  return new Command('inspect')
    .description('What made an image: prompt, seed, parameters')
    .addArgument(
      completeAs(
        new Argument('<images...>', 'images made with --metadata embed or sidecar (or their .json sidecars)'),
        'file',
      ),
    )
    .option('--json', 'Print a JSON object on stdout: images, one object per image')
    .addHelpText('after', HELP)
    .action(async (paths: string[], o: { json?: boolean }) => {
      const { runInspect } = await import('./run.js');
      ctx.done?.(await runInspect(ctx, paths, { json: o.json === true }));
    });
}
