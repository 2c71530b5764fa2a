// Minimal lossless WebP (VP8L) encoder. No transforms, no colour cache, no backward
// references: every pixel is three 8-bit prefix codes (green, red, blue) and a zero-bit
// alpha. Files are about 3 bytes per pixel, which is fine for an emulator and keeps the
// bitstream simple enough to check by hand against the WebP lossless spec (RFC 9649).
import type { Rgb } from './pattern.js';

/** LSB-first bit writer, as VP8L reads its bits. */
class BitWriter {
  readonly buf: Buffer;
  pos = 0;
  private acc = 0;
  private bits = 0;

  constructor(capacity: number) {
    this.buf = Buffer.alloc(capacity);
  }

  /** Write the low `count` bits of value (count <= 24). */
  write(value: number, count: number): void {
    while (this.bits >= 8) {
      this.buf[this.pos++] = this.acc & 0xff;
      this.acc >>>= 8;
      this.bits -= 8;
    }
    this.acc |= value << this.bits;
    this.bits += count;
  }

  finish(): Buffer {
    while (this.bits > 0) {
      this.buf[this.pos++] = this.acc & 0xff;
      this.acc >>>= 8;
      this.bits -= 8;
    }
    return this.buf.subarray(0, this.pos);
  }
}

/** REVERSED[s] = s with its 8 bits mirrored: prefix codes go out most significant bit first. */
const REVERSED = Uint8Array.from({ length: 256 }, (_, s) => {
  let r = 0;
  for (let i = 0; i < 8; i++) r |= ((s >> i) & 1) << (7 - i);
  return r;
});

/**
 * A "normal" prefix code where symbols 0..255 all get length 8 and any further symbols
 * (the green alphabet's 24 length codes) get length 0. The code-length code itself has two
 * one-bit codes: symbol 0 -> bit 0, symbol 8 -> bit 1.
 */
function writeFlatCode(w: BitWriter, alphabetSize: number): void {
  w.write(0, 1); // normal (not simple) code
  // Code-length code lengths are sent in this fixed order; the 12th entry is symbol 8.
  // order: 17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8
  w.write(12 - 4, 4);
  const lengths = [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1];
  for (const len of lengths) w.write(len, 3);
  w.write(0, 1); // max_symbol not given: read a length for every symbol
  for (let s = 0; s < alphabetSize; s++) w.write(s < 256 ? 1 : 0, 1);
}

/** A "simple" prefix code with one symbol: costs zero bits per use. */
function writeSingleSymbolCode(w: BitWriter, symbol: number): void {
  w.write(1, 1); // simple code
  w.write(0, 1); // one symbol
  const wide = symbol > 1;
  w.write(wide ? 1 : 0, 1);
  w.write(symbol, wide ? 8 : 1);
}

/** The VP8L bitstream (the payload of a "VP8L" chunk). */
export function encodeVp8l(image: Rgb): Buffer {
  const { width, height, data } = image;
  // Headers take about 110 bytes; pixels exactly 3 bytes each.
  const w = new BitWriter(256 + width * height * 3);
  w.write(0x2f, 8); // VP8L signature
  w.write(width - 1, 14);
  w.write(height - 1, 14);
  w.write(0, 1); // alpha_is_used: every pixel is opaque
  w.write(0, 3); // version
  w.write(0, 1); // no transform
  w.write(0, 1); // no colour cache
  w.write(0, 1); // no meta prefix codes: one group for the whole image
  writeFlatCode(w, 256 + 24); // green + length prefixes (no colour cache)
  writeFlatCode(w, 256); // red
  writeFlatCode(w, 256); // blue
  writeSingleSymbolCode(w, 255); // alpha
  writeSingleSymbolCode(w, 0); // distance (never used)
  for (let i = 0; i < data.length; i += 3) {
    // green, red, blue codes in stream order, packed into one 24-bit write.
    w.write(REVERSED[data[i + 1]!]! | (REVERSED[data[i]!]! << 8) | (REVERSED[data[i + 2]!]! << 16), 24);
  }
  return Buffer.from(w.finish());
}

export function riffChunk(fourcc: string, payload: Uint8Array): Buffer {
  const padded = payload.length + (payload.length & 1);
  const out = Buffer.alloc(8 + padded);
  out.write(fourcc, 0, 'latin1');
  out.writeUInt32LE(payload.length, 4);
  out.set(payload, 8);
  return out;
}

export function riffHeader(totalLength: number): Buffer {
  const out = Buffer.alloc(12);
  out.write('RIFF', 0, 'latin1');
  out.writeUInt32LE(totalLength - 8, 4);
  out.write('WEBP', 8, 'latin1');
  return out;
}

/** The extended-format header chunk, needed when the file carries unknown (padding) chunks. */
export function vp8xChunk(width: number, height: number): Buffer {
  const p = Buffer.alloc(10); // flags and reserved bits stay 0
  p.writeUIntLE(width - 1, 4, 3);
  p.writeUIntLE(height - 1, 7, 3);
  return riffChunk('VP8X', p);
}

export interface EncodedWebp {
  bytes: Buffer;
  /** The complete "VP8L" chunk, to rebuild an extended file around it. */
  imageChunk: Buffer;
}

export function encodeWebp(image: Rgb): EncodedWebp {
  const imageChunk = riffChunk('VP8L', encodeVp8l(image));
  const header = riffHeader(12 + imageChunk.length);
  return { bytes: Buffer.concat([header, imageChunk]), imageChunk };
}
