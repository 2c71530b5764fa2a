/**
 * What exiftool (the reference reader of image metadata) makes of our embedded records: the
 * IPTC DigitalSourceType label, the prompt, the creator tool, and no warning at all, in PNG,
 * JPEG and WebP, simple (VP8) WebP included. Runs where exiftool is installed, always in CI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderImage } from '../emulator/images/index.js';
import { embedProvenance, pngChunks } from '../../src/output/embed.js';
import { TRAINED_ALGORITHMIC_MEDIA } from '../../src/output/xmp.js';
import { installed, toolTestsRun } from '../helpers/tools.js';

const PROMPT = 'a "fox" <in> the snow & ünïcode 🦊';
const TEXT = { json: JSON.stringify({ prompt: PROMPT, seed: 7 }), creator: 'flux-krea test', description: PROMPT };
// An 8×6 lossy (VP8) WebP made with cwebp: the simple format that gets a VP8X header.
const LOSSY_WEBP = Buffer.from(
  'UklGRkwAAABXRUJQVlA4IEAAAADQAQCdASoIAAYAAsBMJbACdAD5guJrQAD9tc3Ri2D1+ALdDsZbZIZYoP+SiLEtfPPHiP/EXX4UskShSyR/rwAA',
  'base64',
);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flux-krea-exiftool-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!toolTestsRun(installed('exiftool')))('exiftool reads our embedded metadata', () => {
  const cases: [string, () => Buffer][] = [
    ['png', () => renderImage({ format: 'png', width: 48, height: 32, quality: 80, key: 'exif-png' }).bytes],
    ['jpg', () => renderImage({ format: 'jpg', width: 48, height: 32, quality: 80, key: 'exif-jpg' }).bytes],
    ['webp', () => renderImage({ format: 'webp', width: 48, height: 32, quality: 80, key: 'exif-webp' }).bytes],
    ['webp', () => LOSSY_WEBP],
  ];
  it.each(cases)('%s: the AI label, the prompt, no warning', async (ext, make) => {
    const path = join(dir, `x-${Math.random().toString(36).slice(2)}.${ext}`);
    await writeFile(path, embedProvenance(make(), TEXT));
    // -validate adds exiftool's structural checks (it says "[minor] Text chunk(s) found after
    // PNG IDAT" for metadata after the image data); any problem also shows as a Warning tag.
    const [tags] = JSON.parse(
      execFileSync('exiftool', ['-j', '-G1', '-a', '-validate', '-all', path]).toString(),
    ) as Record<string, unknown>[];
    expect(tags!['ExifTool:Validate']).toBe('OK');
    expect(tags!['XMP-iptcExt:DigitalSourceType']).toBe(TRAINED_ALGORITHMIC_MEDIA);
    expect(tags!['XMP-dc:Description']).toBe(PROMPT);
    expect(tags!['XMP-xmp:CreatorTool']).toBe('flux-krea test');
    expect(Object.keys(tags!).filter((k) => /warning|error/i.test(k))).toEqual([]);
  });

  it('the check can fail: the same XMP chunk after the image data draws a warning', async () => {
    const png = embedProvenance(
      renderImage({ format: 'png', width: 48, height: 32, quality: 80, key: 'exif-late' }).bytes,
      TEXT,
    );
    const chunks = pngChunks(png);
    const xmp = chunks[1]!;
    const late = Buffer.concat([
      png.subarray(0, 8),
      ...chunks.filter((c) => c !== xmp && c.type !== 'IEND').map((c) => png.subarray(c.start, c.end)),
      png.subarray(xmp.start, xmp.end),
      png.subarray(chunks.at(-1)!.start),
    ]);
    const path = join(dir, 'late.png');
    await writeFile(path, late);
    const [tags] = JSON.parse(
      execFileSync('exiftool', ['-j', '-G1', '-a', '-validate', '-all', path]).toString(),
    ) as Record<string, unknown>[];
    expect(String(tags!['ExifTool:Validate'])).not.toBe('OK');
  });
});
