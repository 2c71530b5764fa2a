// Minimal baseline JPEG encoder (JFIF, YCbCr 4:2:0, Annex K tables, IJG quality scaling).
// Written for the emulator: correct and fast enough (a 1 MP image in tens of ms), not small.
import {
  AC_CHROMA,
  AC_LUMA,
  CHROMA_QUANT,
  DC_CHROMA,
  DC_LUMA,
  LUMA_QUANT,
  ZIGZAG,
  type HuffmanSpec,
} from './jpeg-tables.js';
import type { Rgb } from './pattern.js';

/** Canonical Huffman codes for a table: symbol -> [code, length]. */
interface CodeTable {
  code: Uint16Array;
  length: Uint8Array;
}

function buildCodes(spec: HuffmanSpec): CodeTable {
  const code = new Uint16Array(256);
  const length = new Uint8Array(256);
  let next = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    for (let i = 0; i < spec.counts[len - 1]!; i++) {
      const symbol = spec.symbols[k++]!;
      code[symbol] = next++;
      length[symbol] = len;
    }
    next <<= 1;
  }
  return { code, length };
}

const CODES = {
  dcLuma: buildCodes(DC_LUMA),
  acLuma: buildCodes(AC_LUMA),
  dcChroma: buildCodes(DC_CHROMA),
  acChroma: buildCodes(AC_CHROMA),
};

/** IJG scaling of the Annex K tables; quality 0 behaves as 1, as in libjpeg. */
function scaleQuant(base: number[], quality: number): Uint8Array {
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  const scale = q < 50 ? 5000 / q : 200 - q * 2;
  return Uint8Array.from(base, (v) => Math.min(255, Math.max(1, Math.floor((v * scale + 50) / 100))));
}

/**
 * AAN scale factors: the fast DCT below leaves coefficient (u, v) multiplied by
 * 8·aan[u]·aan[v], with aan[k] = √2·cos(kπ/16) (and aan[0] = 1); quantisation divides it out.
 */
const AAN = Array.from({ length: 8 }, (_, k) => (k === 0 ? 1 : Math.SQRT2 * Math.cos((k * Math.PI) / 16)));

/** Per-position divisors (natural order) that fold the AAN scaling into the quantiser. */
function divisors(quant: Uint8Array): Float64Array {
  const out = new Float64Array(64);
  for (let n = 0; n < 64; n++) out[n] = quant[n]! * AAN[n >> 3]! * AAN[n & 7]! * 8;
  return out;
}

/** In-place scaled 8-point DCT (Arai–Agui–Nakajima factorisation) on d[o], d[o+s], ... */
function fdct8(d: Float64Array, o: number, s: number): void {
  const t0 = d[o]! + d[o + 7 * s]!;
  const t7 = d[o]! - d[o + 7 * s]!;
  const t1 = d[o + s]! + d[o + 6 * s]!;
  const t6 = d[o + s]! - d[o + 6 * s]!;
  const t2 = d[o + 2 * s]! + d[o + 5 * s]!;
  const t5 = d[o + 2 * s]! - d[o + 5 * s]!;
  const t3 = d[o + 3 * s]! + d[o + 4 * s]!;
  const t4 = d[o + 3 * s]! - d[o + 4 * s]!;
  // Even part.
  const e10 = t0 + t3;
  const e13 = t0 - t3;
  const e11 = t1 + t2;
  const e12 = t1 - t2;
  d[o] = e10 + e11;
  d[o + 4 * s] = e10 - e11;
  const z1 = (e12 + e13) * Math.SQRT1_2;
  d[o + 2 * s] = e13 + z1;
  d[o + 6 * s] = e13 - z1;
  // Odd part.
  const o10 = t4 + t5;
  const o11 = t5 + t6;
  const o12 = t6 + t7;
  const z5 = (o10 - o12) * 0.382683433; // cos(3π/8)
  const z2 = 0.5411961 * o10 + z5; // cos(3π/8)·√2
  const z4 = 1.306562965 * o12 + z5; // cos(π/8)·√2
  const z3 = o11 * Math.SQRT1_2;
  const z11 = t7 + z3;
  const z13 = t7 - z3;
  d[o + 5 * s] = z13 + z2;
  d[o + 3 * s] = z13 - z2;
  d[o + s] = z11 + z4;
  d[o + 7 * s] = z11 - z4;
}

/** Growable byte writer with JPEG byte stuffing for entropy-coded data. */
class BitWriter {
  buf = Buffer.alloc(1 << 16);
  pos = 0;
  private acc = 0;
  private bits = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.alloc(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  bytes(data: ArrayLike<number>): void {
    this.ensure(data.length);
    for (let i = 0; i < data.length; i++) this.buf[this.pos++] = data[i]!;
  }

  write(value: number, count: number): void {
    this.acc = (this.acc << count) | (value & ((1 << count) - 1));
    this.bits += count;
    this.ensure(8);
    while (this.bits >= 8) {
      this.bits -= 8;
      const byte = (this.acc >>> this.bits) & 0xff;
      this.buf[this.pos++] = byte;
      if (byte === 0xff) this.buf[this.pos++] = 0; // stuffing
    }
    this.acc &= (1 << this.bits) - 1;
  }

  /** Pad the last byte with 1 bits, as T.81 F.1.2.3 asks. */
  flush(): void {
    if (this.bits > 0) this.write(0x7f, 8 - this.bits);
  }
}

function segment(w: BitWriter, marker: number, payload: number[]): void {
  w.bytes([0xff, marker, (payload.length + 2) >> 8, (payload.length + 2) & 0xff]);
  w.bytes(payload);
}

function huffmanSegment(w: BitWriter, tableClass: number, id: number, spec: HuffmanSpec): void {
  segment(w, 0xc4, [(tableClass << 4) | id, ...spec.counts, ...spec.symbols]);
}

/** Number of bits of |v| (the JPEG "category"). */
function category(v: number): number {
  let a = v < 0 ? -v : v;
  let n = 0;
  while (a) {
    n++;
    a >>= 1;
  }
  return n;
}

const block = new Float64Array(64);
const coeffs = new Int32Array(64);

/** Forward DCT + quantisation of `block` (level-shifted samples) into `coeffs`, zigzag order. */
function transform(divisor: Float64Array): void {
  for (let row = 0; row < 64; row += 8) fdct8(block, row, 1);
  for (let col = 0; col < 8; col++) fdct8(block, col, 8);
  for (let k = 0; k < 64; k++) {
    const n = ZIGZAG[k]!;
    coeffs[k] = Math.round(block[n]! / divisor[n]!);
  }
}

function encodeBlock(w: BitWriter, previousDc: number, dc: CodeTable, ac: CodeTable): number {
  const diff = coeffs[0]! - previousDc;
  const dcCat = category(diff);
  w.write(dc.code[dcCat]!, dc.length[dcCat]!);
  if (dcCat) w.write(diff < 0 ? diff + (1 << dcCat) - 1 : diff, dcCat);
  let run = 0;
  for (let k = 1; k < 64; k++) {
    const v = coeffs[k]!;
    if (v === 0) {
      run++;
      continue;
    }
    while (run > 15) {
      w.write(ac.code[0xf0]!, ac.length[0xf0]!);
      run -= 16;
    }
    const cat = category(v);
    const symbol = (run << 4) | cat;
    w.write(ac.code[symbol]!, ac.length[symbol]!);
    w.write(v < 0 ? v + (1 << cat) - 1 : v, cat);
    run = 0;
  }
  if (run > 0) w.write(ac.code[0]!, ac.length[0]!); // EOB
  return coeffs[0]!;
}

export interface EncodedJpeg {
  bytes: Buffer;
  /** Offset after SOI+APP0: where COM padding segments may be inserted. */
  padOffset: number;
}

export function encodeJpeg(image: Rgb, quality: number): EncodedJpeg {
  const { width, height, data } = image;
  const lumaQ = scaleQuant(LUMA_QUANT, quality);
  const chromaQ = scaleQuant(CHROMA_QUANT, quality);
  const lumaDiv = divisors(lumaQ);
  const chromaDiv = divisors(chromaQ);

  // Colour conversion once per pixel; chroma planes at half resolution (2×2 average).
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  const Y = new Float32Array(width * height);
  const Cb = new Float32Array(cw * ch);
  const Cr = new Float32Array(cw * ch);
  for (let y = 0, i = 0; y < height; y++) {
    const crow = (y >> 1) * cw;
    for (let x = 0; x < width; x++, i++) {
      const r = data[i * 3]!;
      const g = data[i * 3 + 1]!;
      const b = data[i * 3 + 2]!;
      Y[i] = 0.299 * r + 0.587 * g + 0.114 * b - 128;
      Cb[crow + (x >> 1)] += (-0.168736 * r - 0.331264 * g + 0.5 * b) / 4;
      Cr[crow + (x >> 1)] += (0.5 * r - 0.418688 * g - 0.081312 * b) / 4;
    }
  }

  const w = new BitWriter();
  w.bytes([0xff, 0xd8]); // SOI
  segment(w, 0xe0, [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]); // JFIF 1.1, 1:1 aspect
  const padOffset = w.pos;
  segment(w, 0xdb, [0, ...ZIGZAG.map((n) => lumaQ[n]!), 1, ...ZIGZAG.map((n) => chromaQ[n]!)]);
  segment(w, 0xc0, [
    8,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    3,
    1,
    0x22,
    0, // Y: 2×2 sampling, table 0
    2,
    0x11,
    1, // Cb
    3,
    0x11,
    1, // Cr
  ]);
  huffmanSegment(w, 0, 0, DC_LUMA);
  huffmanSegment(w, 1, 0, AC_LUMA);
  huffmanSegment(w, 0, 1, DC_CHROMA);
  huffmanSegment(w, 1, 1, AC_CHROMA);
  segment(w, 0xda, [3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]);

  // Edges repeat the last row/column, so any size works (the contract's are multiples of 16).
  const loadBlock = (plane: Float32Array, pw: number, ph: number, bx: number, by: number): void => {
    const inside = bx + 8 <= pw && by + 8 <= ph;
    for (let y = 0; y < 8; y++) {
      const row = (inside ? by + y : Math.min(by + y, ph - 1)) * pw;
      if (inside) {
        for (let x = 0; x < 8; x++) block[y * 8 + x] = plane[row + bx + x]!;
      } else {
        for (let x = 0; x < 8; x++) block[y * 8 + x] = plane[row + Math.min(bx + x, pw - 1)]!;
      }
    }
  };
  let dcY = 0;
  let dcCb = 0;
  let dcCr = 0;
  for (let my = 0; my < height; my += 16) {
    for (let mx = 0; mx < width; mx += 16) {
      for (const [ox, oy] of [
        [0, 0],
        [8, 0],
        [0, 8],
        [8, 8],
      ] as const) {
        loadBlock(Y, width, height, mx + ox, my + oy);
        transform(lumaDiv);
        dcY = encodeBlock(w, dcY, CODES.dcLuma, CODES.acLuma);
      }
      loadBlock(Cb, cw, ch, mx >> 1, my >> 1);
      transform(chromaDiv);
      dcCb = encodeBlock(w, dcCb, CODES.dcChroma, CODES.acChroma);
      loadBlock(Cr, cw, ch, mx >> 1, my >> 1);
      transform(chromaDiv);
      dcCr = encodeBlock(w, dcCr, CODES.dcChroma, CODES.acChroma);
    }
  }
  w.flush();
  w.bytes([0xff, 0xd9]); // EOI
  return { bytes: Buffer.from(w.buf.subarray(0, w.pos)), padOffset };
}
