/**
 * `--metadata embed` on hostile images served by the emulator, through the CLI: the job
 * succeeds (the record embedded, or in a sidecar with a warning), `inspect` reads it back, no
 * temp file is left, and the batch lock's size and sha256 are those of the file on disk.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { renderImage } from '../emulator/images/index.js';
import { pngChunk } from '../emulator/images/png.js';
import { FAST, sandbox, type Sandbox } from '../helpers/cli.js';
import { runMain } from '../helpers/main.js';

let emu: Emulator;
let sb: Sandbox;
beforeEach(async () => {
  emu = await startEmulator({ credits: 1000 });
  sb = await sandbox(emu);
});
afterEach(async () => {
  await emu.close();
  await sb.cleanup();
});

const PNG = renderImage({ format: 'png', width: 16, height: 8, quality: 80, key: 'embed-cli' }).bytes;
const itxt = (keyword: string, text: Buffer, compressed: boolean) =>
  pngChunk(
    'iTXt',
    Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0, compressed ? 1 : 0, 0, 0, 0]), text]),
  );
const JPG = renderImage({ format: 'jpg', width: 16, height: 8, quality: 80, key: 'embed-cli' }).bytes;
const XMP_ID = Buffer.from('http://ns.adobe.com/xap/1.0/\0', 'latin1');
const app1 = (data: Buffer) =>
  Buffer.concat([Buffer.from([0xff, 0xe1, (data.length + 2) >> 8, (data.length + 2) & 0xff]), data]);
// An 8×6 lossy (VP8) WebP made with cwebp.
const VP8 = Buffer.from(
  'UklGRkwAAABXRUJQVlA4IEAAAADQAQCdASoIAAYAAsBMJbACdAD5guJrQAD9tc3Ri2D1+ALdDsZbZIZYoP+SiLEtfPPHiP/EXX4UskShSyR/rwAA',
  'base64',
);
const zeroWidth = Buffer.from(VP8);
zeroWidth.writeUInt16LE(0, 20 + 6);

const cases: [string, 'png' | 'jpg' | 'webp', Buffer, 'embedded' | 'sidecar'][] = [
  [
    "a JPEG with someone else's XMP",
    'jpg',
    Buffer.concat([
      JPG.subarray(0, 2),
      app1(Buffer.concat([XMP_ID, Buffer.from('<x:xmpmeta xmlns:x="adobe:ns:meta/"/>')])),
      JPG.subarray(2),
    ]),
    'embedded',
  ],
  [
    'a PNG whose XMP iTXt does not inflate',
    'png',
    Buffer.concat([PNG.subarray(0, 33), itxt('XML:com.adobe.xmp', Buffer.from('not zlib'), true), PNG.subarray(33)]),
    'embedded',
  ],
  ['a VP8 WebP of width 0', 'webp', zeroWidth, 'sidecar'],
];

it.each(cases)(
  '%s: the run succeeds, the record reads back, the lock matches the disk',
  async (_, format, bytes, where) => {
    emu.fault({
      route: 'image',
      kind: { type: 'status', status: 200, body: bytes as unknown as string, contentType: `image/${format}` },
    });
    const manifest = join(sb.dir, 'm.txt');
    await writeFile(manifest, 'a hostile image\n');
    await mkdir(sb.outDir, { recursive: true });
    const r = await runMain(
      ['batch', manifest, '--metadata', 'embed', '-f', format, '-n', '1', '-o', sb.outDir, ...FAST],
      sb,
    );
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const file = join(sb.dir, String(r.stdout).trim());
    if (where === 'sidecar') expect(String(r.stderr)).toMatch(/Cannot embed metadata/);
    const shown = await runMain(['inspect', file, '--json'], sb);
    expect(shown.exitCode, String(shown.stderr)).toBe(0);
    expect(String(shown.stdout)).toContain('a hostile image');
    expect(String(shown.stdout)).toContain(`"${where}"`);
    const onDisk = await readFile(file);
    const lock = JSON.parse(await readFile(`${manifest}.lock.json`, 'utf8')) as {
      entries: Record<string, { files: { bytes: number; sha256: string }[] }>;
    };
    const [entry] = Object.values(lock.entries);
    expect(entry!.files[0]).toMatchObject({
      bytes: onDisk.length,
      sha256: createHash('sha256').update(onDisk).digest('hex'),
    });
    expect((await readdir(sb.outDir)).filter((f) => f.startsWith('.'))).toEqual([]);
  },
);
