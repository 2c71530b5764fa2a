/** Decoding every format flux-krea saves, downscaling, and the PNG encoder the protocols use (issue 16). */
import { describe, expect, it } from 'vitest';
import { deflateSync } from 'node:zlib';
import { renderImage, sourcePixels } from '../emulator/images/index.js';
import { decodeImage, DecodeError } from '../../src/output/preview/decode.js';
import { decodePng, encodePng } from '../../src/output/preview/png.js';
import { fitSize, flatten, resize } from '../../src/output/preview/resize.js';
import { embedProvenance } from '../../src/output/embed.js';

function meanError(a: Uint8Array, rgb: Uint8Array): number {
  let sum = 0;
  const n = rgb.length / 3;
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) sum += Math.abs(a[i * 4 + c]! - rgb[i * 3 + c]!);
  return sum / (n * 3);
}

describe('decodeImage', () => {
  const W = 40;
  const H = 24;
  const rgb = (format: 'png' | 'jpg' | 'webp') => sourcePixels({ format, width: W, height: H, key: 'decode' }).data;

  it.each(['png', 'webp'] as const)('%s: exact pixels (lossless)', async (format) => {
    const img = renderImage({ format, width: W, height: H, quality: 90, key: 'decode' });
    const p = await decodeImage(img.bytes);
    expect([p.width, p.height]).toEqual([W, H]);
    expect(meanError(p.data, rgb(format))).toBe(0);
    expect(p.data[3]).toBe(255);
  });

  it('jpg: close to the source', async () => {
    const img = renderImage({ format: 'jpg', width: W, height: H, quality: 95, key: 'decode' });
    const p = await decodeImage(img.bytes);
    expect([p.width, p.height]).toEqual([W, H]);
    expect(meanError(p.data, rgb('jpg'))).toBeLessThan(12);
  });

  it('reads images that carry embedded metadata', async () => {
    for (const format of ['png', 'jpg', 'webp'] as const) {
      const img = renderImage({ format, width: W, height: H, quality: 90, key: 'decode' });
      const withMeta = embedProvenance(img.bytes, { json: '{"prompt":"x"}', creator: 'flux-krea', description: 'x' });
      const p = await decodeImage(withMeta);
      expect([format, p.width, p.height]).toEqual([format, W, H]);
    }
  });

  it('refuses what it cannot read with a DecodeError, never a crash', async () => {
    await expect(decodeImage(Buffer.from('GIF89a....'))).rejects.toBeInstanceOf(DecodeError);
    const png = renderImage({ format: 'png', width: W, height: H, quality: 0, key: 'decode' }).bytes;
    await expect(decodeImage(png.subarray(0, 60))).rejects.toThrow();
    const jpg = renderImage({ format: 'jpg', width: W, height: H, quality: 90, key: 'decode' }).bytes;
    await expect(decodeImage(Buffer.concat([jpg.subarray(0, 20), Buffer.alloc(40, 0x11)]))).rejects.toBeInstanceOf(
      DecodeError,
    );
    const webp = renderImage({ format: 'webp', width: W, height: H, quality: 0, key: 'decode' }).bytes;
    const broken = Buffer.from(webp);
    broken.fill(0, 30);
    await expect(decodeImage(broken)).rejects.toBeInstanceOf(DecodeError);
  });
});

describe('PNG', () => {
  it('round-trips RGBA through encodePng and decodePng', () => {
    const data = new Uint8Array(5 * 3 * 4).map((_, i) => (i * 37) % 256);
    const p = { width: 5, height: 3, data };
    expect(decodePng(encodePng(p)).data).toEqual(data);
  });

  it('drops alpha when every pixel is opaque (colour type 2)', () => {
    const data = new Uint8Array(2 * 2 * 4).fill(255);
    const png = encodePng({ width: 2, height: 2, data });
    expect(png[25]).toBe(2);
  });

  it('decodes grey, palette with tRNS, 16-bit and every row filter', () => {
    const chunk = (type: string, d: Buffer) => {
      const out = Buffer.alloc(12 + d.length);
      out.writeUInt32BE(d.length, 0);
      out.write(type, 4, 'latin1');
      d.copy(out, 8);
      return out; // CRCs are not checked by the decoder
    };
    const png = (w: number, h: number, depth: number, type: number, raw: number[], extra: Buffer[] = []) => {
      const ihdr = Buffer.alloc(13);
      ihdr.writeUInt32BE(w, 0);
      ihdr.writeUInt32BE(h, 4);
      ihdr[8] = depth;
      ihdr[9] = type;
      return Buffer.concat([
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
        chunk('IHDR', ihdr),
        ...extra,
        chunk('IDAT', deflateSync(Buffer.from(raw))),
        chunk('IEND', Buffer.alloc(0)),
      ]);
    };
    // Grey 8-bit, 2×1, filter Sub: 10, 10+5.
    expect([...decodePng(png(2, 1, 8, 0, [1, 10, 5])).data]).toEqual([10, 10, 10, 255, 15, 15, 15, 255]);
    // Palette 1-bit with tRNS: indexes 0,1 → red transparent, green.
    const p = decodePng(
      png(
        2,
        1,
        1,
        3,
        [0, 0b01000000],
        [chunk('PLTE', Buffer.from([255, 0, 0, 0, 255, 0])), chunk('tRNS', Buffer.from([0]))],
      ),
    );
    expect([...p.data]).toEqual([255, 0, 0, 0, 0, 255, 0, 255]);
    // RGB 16-bit: the high bytes are kept.
    expect([...decodePng(png(1, 1, 16, 2, [0, 1, 2, 3, 4, 5, 6])).data]).toEqual([1, 3, 5, 255]);
    // Four rows: None, Up, Average, Paeth on grey.
    const g = decodePng(png(2, 4, 8, 0, [0, 100, 50, 2, 1, 1, 3, 0, 0, 4, 1, 1]));
    expect([...g.data].filter((_, i) => i % 4 === 0)).toEqual([100, 50, 101, 51, 50, 50, 51, 52]);
  });

  it('refuses interlaced files clearly', () => {
    const good = encodePng({ width: 1, height: 1, data: new Uint8Array([1, 2, 3, 255]) });
    const bad = Buffer.from(good);
    bad[28] = 1;
    expect(() => decodePng(bad)).toThrow(/interlaced/);
  });
});

describe('resize', () => {
  it('fits inside a box keeping the aspect, never enlarging', () => {
    expect(fitSize(1344, 768, 320, 320)).toEqual({ width: 320, height: 183 });
    expect(fitSize(768, 1344, 320, 320)).toEqual({ width: 183, height: 320 });
    expect(fitSize(100, 50, 320, 320)).toEqual({ width: 100, height: 50 });
  });

  it('averages each target pixel over its area', () => {
    // 4×2: left half black, right half white → 2×1: black, white; 1×1: mid grey.
    const data = new Uint8Array(4 * 2 * 4);
    for (let y = 0; y < 2; y++)
      for (let x = 0; x < 4; x++) data.set(x < 2 ? [0, 0, 0, 255] : [255, 255, 255, 255], (y * 4 + x) * 4);
    const src = { width: 4, height: 2, data };
    expect([...resize(src, 2, 1).data]).toEqual([0, 0, 0, 255, 255, 255, 255, 255]);
    expect([...resize(src, 1, 1).data]).toEqual([128, 128, 128, 255]);
  });

  it('flattens transparency onto the background', () => {
    const p = flatten({ width: 1, height: 1, data: new Uint8Array([200, 100, 0, 0]) }, [10, 20, 30]);
    expect([...p.data]).toEqual([10, 20, 30, 255]);
  });
});
