/**
 * Hostile inputs for `--metadata embed` (issue 18's streaming rewrite): whatever the bytes, an
 * embed either rewrites the file whole (and the size and sha256 it reports are the bytes on
 * disk, and the record reads back) or refuses with an EmbedError and leaves the file as it
 * was, with no temp file beside it. Never another error for a malformed image: applyMetadata
 * turns only EmbedError into a sidecar, anything else fails the job.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';
import { renderImage } from '../emulator/images/index.js';
import { pngChunk } from '../emulator/images/png.js';
import {
  bufferSource,
  EmbedError,
  embedParts,
  extractFrom,
  extractProvenance,
  jpegSegments,
  pngChunks,
  riffChunks,
} from '../../src/output/embed.js';
import { embedInFile, extractFromFile, type Provenance } from '../../src/output/metadata.js';
import { installed, toolTestsRun } from '../helpers/tools.js';

const PNG = renderImage({ format: 'png', width: 16, height: 8, quality: 80, key: 'hostile-png' }).bytes;
const JPG = renderImage({ format: 'jpg', width: 16, height: 8, quality: 80, key: 'hostile-jpg' }).bytes;
const WEBP = renderImage({ format: 'webp', width: 16, height: 8, quality: 80, key: 'hostile-webp' }).bytes;
// An 8×6 lossy (VP8) WebP made with cwebp.
const VP8 = Buffer.from(
  'UklGRkwAAABXRUJQVlA4IEAAAADQAQCdASoIAAYAAsBMJbACdAD5guJrQAD9tc3Ri2D1+ALdDsZbZIZYoP+SiLEtfPPHiP/EXX4UskShSyR/rwAA',
  'base64',
);
// A 64×48 progressive JPEG made with cjpeg -progressive: several scans, tables between them.
const PROGRESSIVE = Buffer.from(
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAYEBQYFBAYGBQYHBwYIChAKCgkJChQODwwQFxQYGBcUFhYaHSUfGhsjHBYWICwgIyYnKSopGR8tMC0oMCUoKSj/2wBDAQcHBwoIChMKChMoGhYaKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCj/wgARCAAwAEADASIAAhEBAxEB/8QAFwABAQEBAAAAAAAAAAAAAAAAAwQGB//EABgBAAMBAQAAAAAAAAAAAAAAAAECBQMH/9oADAMBAAIQAxAAAAHmj0viJnpdaMz0uKUtFLrRzz0vjzeZ6XFGZ6XWlM9Lijn3pfHm8z0utGZ6XFKZ6XWl/8QAFhAAAwAAAAAAAAAAAAAAAAAAAAEC/9oACAEBAAEFAlIpFIpFIpFIpFIpFIpFIpFIpFIpFIpFIpFIpFIpFIpFIpFIpFIpFIpFIpFIpFIpFIpFIpFIpP/EABURAQEAAAAAAAAAAAAAAAAAAAMA/9oACAEDAQE/ASWJYliWJYliWJYliWJYlv/EABURAQEAAAAAAAAAAAAAAAAAAAAS/9oACAECAQE/AbWta1rWta1v/8QAFBABAAAAAAAAAAAAAAAAAAAAUP/aAAgBAQAGPwJD/8QAFBABAAAAAAAAAAAAAAAAAAAAUP/aAAgBAQABPyFD/wD/AP8A/wD/AP8A/wD/AP8A/wD/AP8A/9oADAMBAAIAAwAAABAIMCP7370AMAL/xAAUEQEAAAAAAAAAAAAAAAAAAAAw/9oACAEDAQE/EEVVVV//xAAVEQEBAAAAAAAAAAAAAAAAAAAAAf/aAAgBAgEBPxClKUpSlKUpT//EABUQAQEAAAAAAAAAAAAAAAAAAABh/9oACAEBAAE/EIooooooooooooooooooooooooooooooooooooooooooooooov/Z',
  'base64',
);
const SIG = PNG.subarray(0, 8);
const XMP_ID = Buffer.from('http://ns.adobe.com/xap/1.0/\0', 'latin1');

function record(prompt = 'a fox'): Provenance {
  return {
    generator: 'flux-krea test',
    model: 'flux-1-krea-dev',
    request_id: 'r1',
    created_at: '2026-01-01T00:00:00.000Z',
    prompt,
    seed: 1,
    params: { prompt, seed: 1 },
    image: 1,
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flux-krea-hostile-embed-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
let n = 0;

/** Embeds into a file holding `bytes`; checks the promises whichever way it goes. */
async function attempt(
  bytes: Buffer,
  ext: string,
  p = record(),
): Promise<{ ok: true; out: Buffer } | { ok: false; error: unknown }> {
  const sub = join(dir, `case-${n++}`);
  await rm(sub, { recursive: true, force: true });
  await import('node:fs/promises').then((f) => f.mkdir(sub));
  const path = join(sub, `image.${ext}`);
  await writeFile(path, bytes);
  try {
    const r = await embedInFile(path, p);
    const out = await readFile(path);
    expect(r).toEqual({ bytes: out.length, sha256: sha(out) });
    expect(JSON.parse((await extractFromFile(path))!)).toEqual(p);
    expect(await readdir(sub)).toEqual([`image.${ext}`]);
    return { ok: true, out };
  } catch (error) {
    expect(await readFile(path)).toEqual(bytes);
    expect(await readdir(sub)).toEqual([`image.${ext}`]);
    return { ok: false, error };
  }
}

async function embeds(bytes: Buffer, ext: string, p?: Provenance): Promise<Buffer> {
  const r = await attempt(bytes, ext, p);
  if (!r.ok) throw r.error;
  return r.out;
}

async function refuses(bytes: Buffer, ext: string): Promise<string> {
  const r = await attempt(bytes, ext);
  expect(r.ok).toBe(false);
  if (r.ok) return '';
  expect(r.error).toBeInstanceOf(EmbedError);
  return (r.error as Error).message;
}

const png = (...chunks: Buffer[]) => Buffer.concat([SIG, ...chunks]);
const chunksOf = (b: Buffer) => pngChunks(b).map((c) => b.subarray(c.start, c.end));
const [IHDR, ...PNG_REST] = chunksOf(PNG);
const IEND = pngChunk('IEND', Buffer.alloc(0));
const IDATS = PNG_REST.filter((c) => c.toString('latin1', 4, 8) === 'IDAT');
const itxt = (keyword: string, text: Buffer, compressed = false) =>
  pngChunk(
    'iTXt',
    Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0, compressed ? 1 : 0, 0, 0, 0]), text]),
  );
const types = (b: Buffer) => pngChunks(b).map((c) => c.type);

describe('PNG', () => {
  it('IHDR and IEND only (no IDAT): the record goes before IEND', async () => {
    expect(types(await embeds(png(IHDR!, IEND), 'png'))).toEqual(['IHDR', 'iTXt', 'IEND']);
  });
  it('no IEND, a 0-byte file, the signature alone: refused', async () => {
    await refuses(png(IHDR!, ...IDATS), 'png');
    await refuses(Buffer.alloc(0), 'png');
    await refuses(SIG, 'png');
  });
  it('text chunks after IDAT are kept where they are; the record goes before IDAT', async () => {
    const tEXt = pngChunk('tEXt', Buffer.from('Comment\0hello'));
    const foreign = itxt('Description', Buffer.from('hi'));
    const out = await embeds(png(IHDR!, ...IDATS, tEXt, foreign, IEND), 'png');
    expect(types(out)).toEqual(['IHDR', 'iTXt', ...IDATS.map(() => 'IDAT'), 'tEXt', 'iTXt', 'IEND']);
  });
  it('a length field beyond the file: refused', async () => {
    const huge = Buffer.from(pngChunk('tEXt', Buffer.from('a\0b')));
    huge.writeUInt32BE(0xfffffff0, 0);
    await refuses(png(IHDR!, huge, ...IDATS, IEND), 'png');
  });
  it('a CRC mismatch and an odd chunk type are copied as they are', async () => {
    const bad = Buffer.from(pngChunk('tEXt', Buffer.from('a\0b')));
    bad.writeUInt32BE(0, bad.length - 4);
    const odd = Buffer.from(pngChunk('abcd', Buffer.from('x')));
    odd.write('\0\0\0', 5, 'latin1');
    const out = await embeds(png(IHDR!, bad, odd, ...IDATS, IEND), 'png');
    expect(out.includes(bad)).toBe(true);
    expect(out.includes(odd)).toBe(true);
  });
  it('chunks after IEND are kept', async () => {
    const late = pngChunk('tEXt', Buffer.from('late\0x'));
    const out = await embeds(png(IHDR!, ...IDATS, IEND, late), 'png');
    expect(out.subarray(-late.length)).toEqual(late);
  });
  it.each([5, 40])('%i bytes of trailing garbage after IEND are kept, not dropped or refused', async (size) => {
    const garbage = Buffer.alloc(size, 0xab);
    const out = await embeds(Buffer.concat([PNG, garbage]), 'png');
    expect(out.subarray(-size)).toEqual(garbage);
  });
  it('a foreign XMP iTXt is kept; ours goes under our own keyword and reads back', async () => {
    const foreign = itxt('XML:com.adobe.xmp', Buffer.from('<x:xmpmeta xmlns:x="adobe:ns:meta/"/>'));
    const out = await embeds(png(IHDR!, foreign, ...IDATS, IEND), 'png');
    expect(out.includes(foreign)).toBe(true);
  });
  it('a foreign compressed XMP iTXt that does not inflate: kept, not a crash', async () => {
    const broken = itxt('XML:com.adobe.xmp', Buffer.from('not zlib at all'), true);
    const out = await embeds(png(IHDR!, broken, ...IDATS, IEND), 'png');
    expect(out.includes(broken)).toBe(true);
  });
  it('a compressed XMP iTXt that inflates to far more than a packet: treated as foreign, memory bounded', async () => {
    const bomb = itxt('XML:com.adobe.xmp', deflateSync(Buffer.alloc(64 * 1024 * 1024, 0x20)), true);
    const out = await embeds(png(IHDR!, bomb, ...IDATS, IEND), 'png');
    expect(out.includes(bomb)).toBe(true);
  });
  it("someone else's large text chunk is copied, not read", async () => {
    const big = itxt('Comment', Buffer.alloc(4_000_000, 0x61));
    const b = png(IHDR!, big, ...IDATS, IEND);
    let read = 0;
    const src = bufferSource(b);
    const counting = { length: src.length, read: (s: number, e: number) => ((read += e - s), src.read(s, e)) };
    embedParts(counting, { json: '{}', creator: 'c', description: 'd' });
    expect(read).toBeLessThan(10_000);
    read = 0;
    expect(extractFrom(counting)).toBeUndefined();
    expect(read).toBeLessThan(10_000);
  });
  it("someone else's XMP larger than any of ours is not read whole", async () => {
    const huge = itxt('XML:com.adobe.xmp', Buffer.alloc(17 * 1024 * 1024, 0x20));
    const b = png(IHDR!, huge, ...IDATS, IEND);
    let read = 0;
    const src = bufferSource(b);
    const counting = { length: src.length, read: (s: number, e: number) => ((read += e - s), src.read(s, e)) };
    const parts = embedParts(counting, { json: '{}', creator: 'c', description: 'd' });
    expect(read).toBeLessThan(10_000);
    expect(parts).toContainEqual({ start: 33, end: 33 + huge.length }); // kept, as someone else's
    expect(extractFrom(counting)).toBeUndefined();
  });
  it('embedding twice replaces ours', async () => {
    const once = await embeds(PNG, 'png');
    const twice = await embeds(once, 'png', record('second'));
    expect(types(twice).filter((t) => t === 'iTXt')).toHaveLength(1);
  });
});

const jpg = (segs: Buffer[], rest: Buffer) => Buffer.concat([Buffer.from([0xff, 0xd8]), ...segs, rest]);
const J = jpegSegments(JPG);
const SEGS = J.segments.map((s) => JPG.subarray(s.start, s.end));
const SCAN = JPG.subarray(J.rest);
const seg = (marker: number, data: Buffer) => {
  const h = Buffer.from([0xff, marker, 0, 0]);
  h.writeUInt16BE(data.length + 2, 2);
  return Buffer.concat([h, data]);
};
const markers = (b: Buffer) => jpegSegments(b).segments.map((s) => s.marker);

describe('JPEG', () => {
  const nonApp = SEGS.filter((s) => s[1]! < 0xe0 || s[1]! > 0xef);
  it('no APP0/APP1: XMP right after SOI', async () => {
    const out = await embeds(jpg(nonApp, SCAN), 'jpg');
    expect(markers(out)[0]).toBe(0xe1);
  });
  it('EXIF APP1 and several APP1s stay first; ours after them; replaced, not duplicated', async () => {
    const exif = seg(0xe1, Buffer.from('Exif\0\0MM\0*\0\0\0\x08\0\0', 'latin1'));
    const other = seg(0xe1, Buffer.from('other\0', 'latin1'));
    const once = await embeds(jpg([exif, other, ...nonApp], SCAN), 'jpg');
    const twice = await embeds(once, 'jpg', record('again'));
    const s = jpegSegments(twice).segments;
    expect(s.slice(0, 3).map((x) => x.data.subarray(0, 4).toString('latin1'))).toEqual(['Exif', 'othe', 'http']);
    expect(s.filter((x) => x.data.subarray(0, XMP_ID.length).equals(XMP_ID))).toHaveLength(1);
  });
  it('a foreign XMP APP1: kept, ours in a COM segment', async () => {
    const foreign = seg(0xe1, Buffer.concat([XMP_ID, Buffer.from('<x:xmpmeta xmlns:x="adobe:ns:meta/"/>')]));
    const out = await embeds(jpg([foreign, ...nonApp], SCAN), 'jpg');
    expect(markers(out)).toContain(0xfe);
    expect(out.includes(foreign)).toBe(true);
  });
  it('a progressive JPEG: still decodes, the record reads back', async () => {
    assertValidImage(await embeds(PROGRESSIVE, 'jpg'), 'jpg');
  });
  it('a segment length past the end, no scan at all: refused', async () => {
    const long = Buffer.from(seg(0xfe, Buffer.from('abc')));
    long.writeUInt16BE(0xfff0, 2);
    await refuses(jpg([long], SCAN.subarray(0, 10)), 'jpg');
    await refuses(jpg(SEGS, Buffer.alloc(0)), 'jpg');
  });
  it('SOS at once, fill bytes between segments, trailing garbage after EOI', async () => {
    await embeds(jpg([], SCAN), 'jpg');
    await embeds(
      jpg(
        SEGS.flatMap((s) => [Buffer.from([0xff, 0xff]), s]),
        SCAN,
      ),
      'jpg',
    );
    const out = await embeds(Buffer.concat([JPG, Buffer.from('trailing garbage')]), 'jpg');
    expect(out.subarray(-16).toString()).toBe('trailing garbage');
  });
});

const riff = (...chunks: Buffer[]) => {
  const body = Buffer.concat([Buffer.from('WEBP'), ...chunks]);
  const h = Buffer.from('RIFF\0\0\0\0', 'latin1');
  h.writeUInt32LE(body.length, 4);
  return Buffer.concat([h, body]);
};
const rchunk = (fourcc: string, data: Buffer, pad = true) => {
  const h = Buffer.alloc(8);
  h.write(fourcc, 0, 'latin1');
  h.writeUInt32LE(data.length, 4);
  return Buffer.concat([h, data, pad && data.length & 1 ? Buffer.alloc(1) : Buffer.alloc(0)]);
};
const fourccs = (b: Buffer) => riffChunks(b).map((c) => c.fourcc);
const VP8_CHUNK = VP8.subarray(12);

describe('WebP', () => {
  it('simple VP8L and VP8 files become extended ones', async () => {
    expect(fourccs(await embeds(WEBP, 'webp'))).toEqual(['VP8X', 'VP8L', 'XMP ']);
    expect(fourccs(await embeds(VP8, 'webp'))).toEqual(['VP8X', 'VP8 ', 'XMP ']);
  });
  it('VP8X with ICC and an odd-sized EXIF (padding byte, even missing at the end)', async () => {
    const x = Buffer.alloc(10);
    x[0] = 0x20 | 0x08; // ICC, EXIF
    x.writeUIntLE(7, 4, 3);
    x.writeUIntLE(5, 7, 3);
    const out = await embeds(
      riff(rchunk('VP8X', x), rchunk('ICCP', Buffer.alloc(7, 1)), VP8_CHUNK, rchunk('EXIF', Buffer.alloc(9, 2))),
      'webp',
    );
    expect(fourccs(out)).toEqual(['VP8X', 'ICCP', 'VP8 ', 'EXIF', 'XMP ']);
    await embeds(riff(rchunk('VP8X', x), VP8_CHUNK, rchunk('EXIF', Buffer.alloc(9, 2), false)), 'webp');
  });
  it('bytes after the RIFF container are kept', async () => {
    const out = await embeds(Buffer.concat([VP8, Buffer.from('trailer')]), 'webp');
    expect(out.subarray(-7).toString()).toBe('trailer');
    expect(out.readUInt32LE(4) + 8).toBe(out.length - 7);
  });
  it('a foreign XMP chunk: refused (one packet only)', async () => {
    const x = Buffer.alloc(10);
    x[0] = 0x04;
    await refuses(riff(rchunk('VP8X', x), VP8_CHUNK, rchunk('XMP ', Buffer.from('<x/>'))), 'webp');
  });
  it('a RIFF size past the end, a truncated file, a broken chunk: refused', async () => {
    const big = Buffer.from(WEBP);
    big.writeUInt32LE(big.length * 2, 4);
    await refuses(big, 'webp');
    await refuses(WEBP.subarray(0, WEBP.length - 3), 'webp');
    await refuses(riff(Buffer.from('VP8L\xff\xff\0\0', 'latin1')), 'webp');
  });
  it('a VP8 frame of width 0, a short VP8X: refused, not a crash', async () => {
    const zero = Buffer.from(VP8_CHUNK);
    zero.writeUInt16LE(0, 8 + 6);
    await refuses(riff(zero), 'webp');
    await refuses(riff(rchunk('VP8X', Buffer.alloc(2)), VP8_CHUNK), 'webp');
  });
});

/** The XMP packet in an embedded file, checked by a strict XML parser (exiftool is lenient). */
function assertWellFormedXmp(out: Buffer): void {
  const start = out.indexOf('<x:xmpmeta');
  const end = out.indexOf('</x:xmpmeta>') + '</x:xmpmeta>'.length;
  expect(start).toBeGreaterThan(0);
  const packet = out.subarray(start, end).toString('utf8');
  // What XML 1.0 forbids even as a reference; a strict parser (below, where python3 is) agrees.
  expect(packet).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/);
  if (installed('python3'))
    execFileSync(
      'python3',
      ['-c', 'import sys, xml.dom.minidom; xml.dom.minidom.parseString(sys.stdin.buffer.read())'],
      {
        input: packet,
      },
    );
}

/** The decoders and checkers users have still accept the file. */
function assertValidImage(out: Buffer, ext: string): void {
  const path = join(dir, `valid-${n++}.${ext}`);
  writeFileSync(path, out);
  if (ext === 'png' && toolTestsRun(installed('pngcheck'))) execFileSync('pngcheck', ['-q', path]);
  if (ext === 'jpg' && toolTestsRun(installed('djpeg'))) execFileSync('djpeg', ['-outfile', '/dev/null', path]);
  if (ext === 'webp' && toolTestsRun(installed('webpinfo'))) {
    const text = execFileSync('webpinfo', [path]).toString();
    expect(text).toMatch(/No error detected/);
  }
}

describe('text that reaches XML', () => {
  const prompts = [
    'ünïcode 🦊 "q" <a> & b',
    'line one\nline two\r\nthree\ttab',
    '<&>'.repeat(3000),
    'ctrl \u0001\u001f\u007f and \uffff \ufffe',
  ];
  it.each(prompts.map((p, i) => [i, p]))('prompt %i reads back exactly in every format', async (_, prompt) => {
    for (const [bytes, ext] of [
      [PNG, 'png'],
      [JPG, 'jpg'],
      [WEBP, 'webp'],
    ] as const) {
      const r = await attempt(bytes, ext, record(prompt as string));
      if (!r.ok) {
        // Only a JPEG segment can be too small (64 KB): the caller writes a sidecar.
        expect(ext).toBe('jpg');
        expect(String((r.error as Error).message)).toMatch(/too large/);
      } else {
        expect(JSON.parse(extractProvenance(r.out)!).prompt).toBe(prompt);
        assertWellFormedXmp(r.out);
        assertValidImage(r.out, ext);
      }
    }
  });
});
