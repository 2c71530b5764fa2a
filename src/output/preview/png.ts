/**
 * PNG without a dependency: node:zlib inflates, and a filter reverser restores the rows.
 * Covers what image services write (8 or 16 bits, grey, RGB, palette, with alpha; not
 * interlaced — Adam7 is refused with a clear error). The encoder writes 8-bit RGB or RGBA
 * with one filter per row, enough for the terminal protocols that want PNG.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import { pngChunk, pngChunks } from '../embed.js';
import { checkSize, DecodeError, type Pixels } from './pixels.js';

const SIG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

export function decodePng(b: Buffer): Pixels {
  if (b.length < 8 || !b.subarray(0, 8).equals(SIG)) throw new DecodeError('not a PNG file');
  const chunks = pngChunks(b);
  const ihdr = chunks.find((c) => c.type === 'IHDR')?.data;
  if (!ihdr || ihdr.length < 13) throw new DecodeError('the PNG file has no header');
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  const depth = ihdr[8]!;
  const colorType = ihdr[9]!;
  checkSize(width, height);
  if (ihdr[12] !== 0) throw new DecodeError('interlaced PNG files are not supported');
  const channels = CHANNELS[colorType];
  if (!channels || !(depth === 8 || depth === 16 || (depth < 8 && (colorType === 0 || colorType === 3)))) {
    throw new DecodeError(`PNG colour type ${colorType} at ${depth} bits is not supported`);
  }
  const palette = chunks.find((c) => c.type === 'PLTE')?.data;
  const trns = chunks.find((c) => c.type === 'tRNS')?.data;
  const raw = inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  const bitsPerPixel = channels * depth;
  const stride = Math.ceil((width * bitsPerPixel) / 8);
  const bpp = Math.max(1, bitsPerPixel / 8);
  if (raw.length < height * (stride + 1)) throw new DecodeError('the PNG file is truncated');
  const rows = unfilter(raw, height, stride, bpp);
  const out = new Uint8Array(width * height * 4);
  const sample = (row: Uint8Array, i: number): number => {
    if (depth === 8) return row[i]!;
    if (depth === 16) return row[i * 2]!;
    const perByte = 8 / depth;
    const shift = 8 - depth * ((i % perByte) + 1);
    return (row[Math.floor(i / perByte)]! >> shift) & ((1 << depth) - 1);
  };
  const scale = depth < 8 && colorType === 0 ? 255 / ((1 << depth) - 1) : 1;
  for (let y = 0; y < height; y++) {
    const row = rows.subarray(y * stride, (y + 1) * stride);
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      const s = (c: number) => sample(row, x * channels + c);
      if (colorType === 3) {
        const i = s(0);
        if (!palette || i * 3 + 2 >= palette.length) throw new DecodeError('the PNG palette is missing an entry');
        out[o] = palette[i * 3]!;
        out[o + 1] = palette[i * 3 + 1]!;
        out[o + 2] = palette[i * 3 + 2]!;
        out[o + 3] = trns && i < trns.length ? trns[i]! : 255;
      } else if (colorType === 0 || colorType === 4) {
        const g = Math.round(s(0) * scale);
        out[o] = g;
        out[o + 1] = g;
        out[o + 2] = g;
        out[o + 3] = colorType === 4 ? s(1) : 255;
      } else {
        out[o] = s(0);
        out[o + 1] = s(1);
        out[o + 2] = s(2);
        out[o + 3] = colorType === 6 ? s(3) : 255;
      }
    }
  }
  return { width, height, data: out };
}

/** Reverses the per-row filters (None, Sub, Up, Average, Paeth) into bare rows. */
function unfilter(raw: Buffer, height: number, stride: number, bpp: number): Uint8Array {
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const dst = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[dst + x - bpp]! : 0;
      const b = y > 0 ? out[dst - stride + x]! : 0;
      const c = x >= bpp && y > 0 ? out[dst - stride + x - bpp]! : 0;
      const v = raw[src + x]!;
      let p: number;
      switch (filter) {
        case 0:
          p = 0;
          break;
        case 1:
          p = a;
          break;
        case 2:
          p = b;
          break;
        case 3:
          p = (a + b) >> 1;
          break;
        case 4:
          p = paeth(a, b, c);
          break;
        default:
          throw new DecodeError(`the PNG file has an unknown row filter ${filter}`);
      }
      out[dst + x] = (v + p) & 0xff;
    }
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** An 8-bit PNG of the pixels; alpha is dropped when every pixel is opaque. */
export function encodePng(p: Pixels): Buffer {
  const opaque = isOpaque(p);
  const channels = opaque ? 3 : 4;
  const stride = p.width * channels;
  const raw = Buffer.alloc(p.height * (stride + 1));
  for (let y = 0; y < p.height; y++) {
    // Filter 1 (Sub): photos compress noticeably better than with no filter, at no cost.
    const rowStart = y * (stride + 1);
    raw[rowStart] = 1;
    for (let x = 0; x < p.width; x++) {
      for (let c = 0; c < channels; c++) {
        const v = p.data[(y * p.width + x) * 4 + c]!;
        const left = x > 0 ? p.data[(y * p.width + x - 1) * 4 + c]! : 0;
        raw[rowStart + 1 + x * channels + c] = (v - left) & 0xff;
      }
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(p.width, 0);
  ihdr.writeUInt32BE(p.height, 4);
  ihdr[8] = 8;
  ihdr[9] = opaque ? 2 : 6;
  return Buffer.concat([
    SIG,
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw, { level: 6 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

export function isOpaque(p: Pixels): boolean {
  for (let i = 3; i < p.data.length; i += 4) if (p.data[i] !== 255) return false;
  return true;
}
