/**
 * `flux-krea gallery <manifest|lock|dir|image ...> -o gallery.html`: one self-contained HTML
 * page of the images, with what made each one. The work is in src/output/gallery/, loaded
 * only when the command runs.
 */
import { Command, Option } from 'commander';
import type { Context } from './shared/context.js';
import { UsageError } from '../errors.js';

const HELP = `
Inputs: batch lock files (several shards are merged), manifests (read through
<manifest>.lock.json and <manifest>.shard-i-of-n.lock.json), directories of images (their
embedded metadata or .json sidecars give the prompt and parameters), or single images.

The page needs nothing else: thumbnails are embedded, each links to its full image by a path
relative to the page, and a strict Content-Security-Policy allows no script, font or other
load. Keep the page beside the images (or upload both as one artifact) for the links to work.

Examples:
  $ flux-krea gallery assets.jsonl -o gallery.html
  $ flux-krea gallery assets.jsonl.shard-*-of-4.lock.json -o report/gallery.html
  $ flux-krea gallery art/ --title "Moodboard, week 12"`;

export const THUMB_LIMITS = { min: 64, max: 1024 } as const;

export function galleryCommand(ctx: Context): Command {
  return new Command('gallery')
    .description(
      'Write one self-contained HTML page of images: thumbnails, prompts, parameters, seeds, commands to make them again',
    )
    .argument('<inputs...>', 'lock files, manifests, directories or images')
    .addOption(new Option('-o, --out <file>', 'The HTML file to write').default('gallery.html'))
    .addOption(new Option('--title <text>', 'The page title').default('flux-krea gallery'))
    .addOption(
      new Option(
        '--thumb-size <px>',
        `Longest side of each thumbnail, ${THUMB_LIMITS.min}–${THUMB_LIMITS.max}`,
      ).default('360'),
    )
    .addHelpText('after', HELP)
    .action(async (inputs: string[], o: { out: string; title: string; thumbSize: string }) => {
      const thumbSize = Number(o.thumbSize);
      if (!Number.isInteger(thumbSize) || thumbSize < THUMB_LIMITS.min || thumbSize > THUMB_LIMITS.max) {
        throw new UsageError(
          `--thumb-size: ${JSON.stringify(o.thumbSize)} is not allowed; give a whole number of pixels from ${THUMB_LIMITS.min} to ${THUMB_LIMITS.max}.`,
        );
      }
      if (o.out === '-')
        throw new UsageError('--out: the gallery is a file; `-` (stdout) is not allowed.', {
          suggestion: 'Give a file name, e.g. -o gallery.html.',
        });
      const { runGallery } = await import('./run.js');
      await runGallery(ctx, inputs, { out: o.out, title: o.title, thumbSize });
    });
}
