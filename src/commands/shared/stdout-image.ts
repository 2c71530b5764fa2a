/** `-o -`: the single image goes to stdout for pipes. It is staged in a temp dir first so that only a complete, checked image is ever written. */
import { mkdtemp, rm } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { UsageError } from '../../errors.js';
import type { SavedImage } from '../../output/download.js';
import type { Context } from './context.js';

export function stagingDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'flux-krea-'));
}

/**
 * Image bytes are not for people: a terminal shown a JPEG scrolls garbage and may be left in a
 * strange state. Refused before anything is paid (issue 13 item 3), as the \`ai\` CLI does.
 */
export function refuseTerminal(ctx: Context): void {
  if (!ctx.stdout.isTTY()) return;
  throw new UsageError(
    '-o -: stdout is a terminal, and the image would be printed there as raw bytes. Nothing was sent.',
    {
      suggestion: 'Redirect it (`-o - > image.jpg`, `-o - | display`), or give a directory with -o.',
    },
  );
}

export async function writeImageToStdout(
  ctx: Context,
  files: SavedImage[],
  dir: string,
  elsewhere = 'flux-krea ... -o <dir>',
): Promise<void> {
  try {
    if (files.length !== 1)
      throw new UsageError(`-o -: ${files.length} images came back, stdout can take one.`, {
        suggestion: `Save them to a directory: ${elsewhere}`,
      });
    try {
      await pipeline(createReadStream(files[0]!.path), ctx.stdout.stream(), { end: false });
    } catch (e) {
      // A reader that stopped early (`| head -c 100`) took what it wanted: not an error. A
      // failed write is kept by ctx.stdout, and main() reports it.
      if (!ctx.stdout.closed()) throw e;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
