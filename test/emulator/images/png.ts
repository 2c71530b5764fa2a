// Minimal PNG encoder: 8-bit RGB, one IDAT, Sub filter on every row (gradients compress well
// with it), zlib from Node. Also builds the private padding chunks used by imagePadBytes.
import * as zlib from 'node:zlib';
import type { Rgb } from './pattern.js';

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** zlib.crc32 exists from Node 20.15; keep a table fallback for older 20.x. */
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(data: Uint8Array, previous = 0): number {
  // A namespace import, so that a Node without zlib.crc32 still loads this module.
  const native = (zlib as { crc32?: (d: Uint8Array, v?: number) => number }).crc32;
  if (native) return native(data, previous);
  let c = (previous ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function pngChunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

export interface EncodedPng {
  bytes: Buffer;
  /** Offset just after IHDR: where padding chunks may be inserted. */
  padOffset: number;
}

export function encodePng(image: Rgb): EncodedPng {
  const { width, height, data } = image;
  const stride = width * 3;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const src = y * stride;
    const dst = y * (stride + 1);
    raw[dst] = 1; // filter type Sub
    for (let i = 0; i < stride; i++) {
      const left = i >= 3 ? data[src + i - 3]! : 0;
      raw[dst + 1 + i] = (data[src + i]! - left) & 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type RGB
  // compression, filter and interlace methods stay 0
  const head = Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', ihdr)]);
  // Level 3: the emulator must encode a 1 MP image in well under 100 ms.
  const idat = pngChunk('IDAT', zlib.deflateSync(raw, { level: 3 }));
  const iend = pngChunk('IEND', new Uint8Array(0));
  return { bytes: Buffer.concat([head, idat, iend]), padOffset: head.length };
}

/**
 * Type of the padding chunk: lowercase first letter = ancillary (decoders may skip it),
 * lowercase second = private, uppercase third = reserved bit clear, lowercase fourth =
 * safe to copy.
 */
export const PNG_PAD_CHUNK = 'fkPd';
