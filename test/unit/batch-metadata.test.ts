/**
 * Provenance embedded without re-encoding: each container stays valid (CRCs, segment lengths,
 * RIFF sizes), the pixel data is byte-identical, and the record reads back exactly.
 * Where the system has pngcheck / djpeg / webpinfo, they check the files too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { bodyChunks, paddedBody, renderImage } from '../emulator/images/index.js';
import {
  crc32,
  embedProvenance,
  EmbedError,
  extractProvenance,
  jpegSegments,
  pngChunk,
  pngChunks,
  riffChunks,
} from '../../src/output/embed.js';
import { applyMetadata, embedInFile, provenanceFor, readEmbedded, readSidecar } from '../../src/output/metadata.js';
import { installed, toolTestsRun } from '../helpers/tools.js';

const TEXT = {
  json: JSON.stringify({ prompt: 'a "fox" <in> the snow & ünïcode 🦊', seed: 7 }),
  creator: 'flux-krea test',
  description: 'a "fox" <in> the snow & ünïcode 🦊',
};
const image = (format: 'png' | 'jpg' | 'webp') =>
  renderImage({ format, width: 48, height: 32, quality: 80, key: `meta-${format}` }).bytes;
// An 8×6 lossy (VP8) WebP made with cwebp: the simple format that needs a VP8X header added.
const LOSSY_WEBP = Buffer.from(
  'UklGRkwAAABXRUJQVlA4IEAAAADQAQCdASoIAAYAAsBMJbACdAD5guJrQAD9tc3Ri2D1+ALdDsZbZIZYoP+SiLEtfPPHiP/EXX4UskShSyR/rwAA',
  'base64',
);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flux-krea-meta-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('PNG', () => {
  it('an XMP iTXt chunk before the image data (exiftool warns about text after IDAT), every CRC valid, image data untouched, idempotent', () => {
    const src = image('png');
    const out = embedProvenance(src, TEXT);
    const chunks = pngChunks(out);
    const types = chunks.map((c) => c.type);
    expect(types.indexOf('iTXt')).toBeGreaterThan(types.indexOf('IHDR'));
    expect(types.indexOf('iTXt')).toBe(types.indexOf('IDAT') - 1);
    expect(types.at(-1)).toBe('IEND');
    const xmp = chunks[types.indexOf('iTXt')]!;
    expect(xmp.data.toString('latin1', 0, 18)).toBe('XML:com.adobe.xmp\0');
    expect(xmp.data.toString('utf8')).toContain(
      '<Iptc4xmpExt:DigitalSourceType>http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia<',
    );
    for (const c of chunks) expect(out.readUInt32BE(c.end - 4)).toBe(crc32(out.subarray(c.start + 4, c.end - 4)));
    const idat = (b: Buffer) =>
      Buffer.concat(
        pngChunks(b)
          .filter((c) => c.type === 'IDAT')
          .map((c) => c.data),
      );
    expect(idat(out).equals(idat(src))).toBe(true);
    expect(extractProvenance(out)).toBe(TEXT.json);
    expect(embedProvenance(out, TEXT).equals(out)).toBe(true);
    expect(extractProvenance(src)).toBeUndefined();
  });

  it.skipIf(!toolTestsRun(installed('pngcheck')))('passes pngcheck', async () => {
    const path = join(dir, 'x.png');
    await writeFile(path, embedProvenance(image('png'), TEXT));
    expect(execFileSync('pngcheck', [path]).toString()).toMatch(/^OK/);
  });
});

describe('PNG records of other shapes', () => {
  const itxt = (keyword: string, text: string) =>
    pngChunk(
      'iTXt',
      Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0, 0, 0, 0, 0]), Buffer.from(text, 'utf8')]),
    );
  /** The chunks of `png` with `extra` inserted before its chunk number `at`. */
  const withChunk = (png: Buffer, at: number, extra: Buffer) => {
    const parts = pngChunks(png).map((c) => png.subarray(c.start, c.end));
    parts.splice(at, 0, extra);
    return Buffer.concat([png.subarray(0, 8), ...parts]);
  };

  it('reads what earlier versions wrote (a flux-krea iTXt chunk before IEND), and embedding again replaces it', () => {
    const src = image('png');
    const old = withChunk(src, pngChunks(src).length - 1, itxt('flux-krea', '{"old":true}'));
    expect(extractProvenance(old)).toBe('{"old":true}');
    const out = embedProvenance(old, TEXT);
    expect(extractProvenance(out)).toBe(TEXT.json);
    expect(pngChunks(out).filter((c) => c.type === 'iTXt')).toHaveLength(1);
  });

  it("keeps someone else's XMP and puts our record beside it, in its own chunk", () => {
    const foreign = withChunk(
      image('png'),
      1,
      itxt('XML:com.adobe.xmp', '<x:xmpmeta xmlns:x="adobe:ns:meta/"><other/></x:xmpmeta>'),
    );
    const out = embedProvenance(foreign, TEXT);
    const texts = pngChunks(out)
      .filter((c) => c.type === 'iTXt')
      .map((c) => c.data.toString('latin1', 0, c.data.indexOf(0)));
    expect(texts.sort()).toEqual(['XML:com.adobe.xmp', 'flux-krea']);
    expect(extractProvenance(out)).toBe(TEXT.json);
    expect(embedProvenance(out, TEXT).equals(out)).toBe(true);
  });
});

describe('JPEG', () => {
  it('an APP1 XMP segment after the leading APPn segments; scan data untouched; idempotent', () => {
    const src = image('jpg');
    const out = embedProvenance(src, TEXT);
    const before = jpegSegments(src);
    const after = jpegSegments(out);
    expect(after.segments).toHaveLength(before.segments.length + 1);
    const appRun = before.segments.findIndex((s) => s.marker < 0xe0 || s.marker > 0xef);
    expect(after.segments[appRun]!.marker).toBe(0xe1);
    expect(out.subarray(after.rest).equals(src.subarray(before.rest))).toBe(true);
    expect(extractProvenance(out)).toBe(TEXT.json);
    expect(embedProvenance(out, TEXT).equals(out)).toBe(true);
  });

  it("next to someone else's XMP (one packet allowed), a COM segment instead", () => {
    const theirs = Buffer.concat([
      Buffer.from('http://ns.adobe.com/xap/1.0/\0', 'latin1'),
      Buffer.from('<x:xmpmeta>theirs</x:xmpmeta>'),
    ]);
    const seg = Buffer.concat([Buffer.from([0xff, 0xe1, 0, 0]), theirs]);
    seg.writeUInt16BE(theirs.length + 2, 2);
    const src = image('jpg');
    const withTheirs = Buffer.concat([src.subarray(0, 2), seg, src.subarray(2)]);
    const out = embedProvenance(withTheirs, TEXT);
    const markers = jpegSegments(out).segments.map((s) => s.marker);
    expect(markers.filter((m) => m === 0xe1)).toHaveLength(1);
    expect(markers).toContain(0xfe);
    expect(extractProvenance(out)).toBe(TEXT.json);
  });

  it.skipIf(!toolTestsRun(installed('djpeg')))('still decodes to the same pixels with djpeg', async () => {
    const src = join(dir, 'a.jpg');
    const out = join(dir, 'b.jpg');
    await writeFile(src, image('jpg'));
    await writeFile(out, embedProvenance(image('jpg'), TEXT));
    expect(execFileSync('djpeg', [out]).equals(execFileSync('djpeg', [src]))).toBe(true);
  });
});

describe('WebP', () => {
  for (const [name, src, size] of [
    ['lossless (VP8L)', image('webp'), [48, 32]],
    ['lossy (VP8)', LOSSY_WEBP, [8, 6]],
  ] as const) {
    it(`${name}: VP8X added with the XMP flag and the canvas size, RIFF size fixed, bitstream untouched`, () => {
      const out = embedProvenance(src, TEXT);
      expect(out.readUInt32LE(4)).toBe(out.length - 8);
      const chunks = riffChunks(out);
      expect(chunks.map((c) => c.fourcc)).toEqual(['VP8X', riffChunks(src)[0]!.fourcc, 'XMP ']);
      const x = chunks[0]!.data;
      expect(x[0]! & 0x04).toBe(0x04);
      expect([x.readUIntLE(4, 3) + 1, x.readUIntLE(7, 3) + 1]).toEqual(size);
      expect(chunks[1]!.data.equals(riffChunks(src)[0]!.data)).toBe(true);
      expect(extractProvenance(out)).toBe(TEXT.json);
      expect(embedProvenance(out, TEXT).equals(out)).toBe(true);
    });
  }

  it("refuses to stack on someone else's XMP (the caller then writes a sidecar)", () => {
    const once = embedProvenance(LOSSY_WEBP, TEXT);
    const foreign = Buffer.from(
      once.toString('latin1').replace('npmjs.com/package/flux-krea#', 'example.com/other/ns/1.0/#'),
      'latin1',
    );
    expect(() => embedProvenance(foreign, TEXT)).toThrow(EmbedError);
  });

  it.skipIf(!toolTestsRun(installed('webpinfo') && installed('dwebp')))(
    'passes webpinfo and decodes to the same pixels with dwebp',
    async () => {
      for (const [i, src] of [image('webp'), LOSSY_WEBP].entries()) {
        const a = join(dir, `a${i}.webp`);
        const b = join(dir, `b${i}.webp`);
        await writeFile(a, src);
        await writeFile(b, embedProvenance(src, TEXT));
        expect(execFileSync('webpinfo', [b]).toString()).toMatch(/No error detected/);
        const decode = (p: string) =>
          execFileSync('dwebp', [p, '-ppm', '-o', '-'], { stdio: ['ignore', 'pipe', 'ignore'] });
        expect(decode(b).equals(decode(a))).toBe(true);
      }
    },
  );
});

describe('applyMetadata', () => {
  const input = {
    params: { prompt: 'a boat', seed: 3, output_format: 'png' },
    requestId: 'req-1',
    createdAt: new Date('2025-01-02T03:04:05Z'),
  };

  it('embed: rewrites the file, updates its size, and the record reads back', async () => {
    const path = join(dir, 'e.png');
    await writeFile(path, image('png'));
    const files = [{ path, bytes: 0, format: 'png' }];
    await applyMetadata(files, 'embed', input);
    expect(files[0]!.bytes).toBe((await readFile(path)).length);
    expect(await readEmbedded(path)).toEqual({
      generator: expect.stringMatching(/^flux-krea /),
      model: 'flux-krea-dev',
      request_id: 'req-1',
      created_at: '2025-01-02T03:04:05.000Z',
      prompt: 'a boat',
      seed: 3,
      params: input.params,
      image: 1,
    });
  });

  it('sidecar: <file>.json; and a file that cannot carry metadata falls back to a sidecar with a warning', async () => {
    const path = join(dir, 's.jpg');
    await writeFile(path, image('jpg'));
    await applyMetadata([{ path, bytes: 0, format: 'jpg' }], 'sidecar', input);
    expect(await readSidecar(path)).toMatchObject({ prompt: 'a boat', request_id: 'req-1' });
    const gif = join(dir, 'g.gif');
    await writeFile(gif, 'GIF89a....');
    const warnings: string[] = [];
    await applyMetadata([{ path: gif, bytes: 10, format: 'gif' }], 'embed', input, (m) => warnings.push(m));
    expect(warnings[0]).toMatch(/Cannot embed metadata in .*g\.gif/);
    expect(await readSidecar(gif)).toMatchObject({ seed: 3 });
  });
});

describe('embedding in a file streams it (issue 18: memory flat in image size)', () => {
  // Images padded to a few MB (the emulator's valid padding: PNG chunks, JPEG COM segments,
  // WebP chunks), so that the copy goes through many pieces.
  const padded = (format: 'png' | 'jpg' | 'webp') => {
    const body = paddedBody(
      renderImage({ format, width: 48, height: 32, quality: 80, key: `big-${format}` }),
      3_000_001,
    );
    return Buffer.concat([...bodyChunks(body)]);
  };

  it.each(['png', 'jpg', 'webp'] as const)(
    '%s: the file written is the in-memory embed byte for byte, with its size and sha256',
    async (format) => {
      const src = padded(format);
      const path = join(dir, `big.${format}`);
      await writeFile(path, src);
      const p = provenanceFor({ params: { prompt: 'a big raccoon', seed: 9 }, requestId: 'req-big' }, 0);
      const result = await embedInFile(path, p);
      const written = await readFile(path);
      const expected = embedProvenance(src, { json: JSON.stringify(p), creator: p.generator, description: p.prompt });
      expect(written.equals(expected)).toBe(true);
      expect(result).toEqual({ bytes: written.length, sha256: createHash('sha256').update(written).digest('hex') });
      expect(await readEmbedded(path)).toEqual(p);
      // Embedding again replaces the record: the file keeps one, and its length.
      await embedInFile(path, p);
      expect((await readFile(path)).length).toBe(written.length);
    },
  );

  it('a file cut short is refused as it is, and left untouched', async () => {
    const path = join(dir, 'cut.png');
    const cut = padded('png').subarray(0, 2_000_000);
    await writeFile(path, cut);
    const p = provenanceFor({ params: { prompt: 'cut', seed: 1 } }, 0);
    await expect(embedInFile(path, p)).rejects.toBeInstanceOf(EmbedError);
    expect((await readFile(path)).equals(cut)).toBe(true);
  });
});
