// Structural checks of PNG, JPEG and WebP files, written apart from the encoders so tests
// (the emulator's and the client's) can assert "this is a real image of this size" without a
// decoder dependency. Throws on anything malformed.
import { inflateSync } from 'node:zlib';

export interface ImageFacts {
  format: 'png' | 'jpg' | 'webp';
  width: number;
  height: number;
}

const CRC = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function fail(message: string): never {
  throw new Error(`invalid image: ${message}`);
}

function inspectPng(buf: Buffer): ImageFacts {
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  const types: string[] = [];
  while (offset < buf.length) {
    if (offset + 12 > buf.length) fail('PNG chunk header past the end');
    const length = buf.readUInt32BE(offset);
    const type = buf.toString('latin1', offset + 4, offset + 8);
    const end = offset + 8 + length;
    if (end + 4 > buf.length) fail(`PNG chunk ${type} past the end`);
    if (crc32(buf.subarray(offset + 4, end)) !== buf.readUInt32BE(end)) fail(`PNG chunk ${type}: bad CRC`);
    if (type === 'IHDR') {
      width = buf.readUInt32BE(offset + 8);
      height = buf.readUInt32BE(offset + 12);
      if (buf[offset + 16] !== 8 || buf[offset + 17] !== 2) fail('PNG: expected 8-bit RGB');
    }
    if (type === 'IDAT') idat.push(buf.subarray(offset + 8, end));
    types.push(type);
    offset = end + 4;
  }
  if (types[0] !== 'IHDR' || types.at(-1) !== 'IEND') fail('PNG must start with IHDR and end with IEND');
  const raw = inflateSync(Buffer.concat(idat));
  if (raw.length !== (width * 3 + 1) * height) fail(`PNG: ${raw.length} bytes of scanlines for ${width}x${height}`);
  return { format: 'png', width, height };
}

function inspectJpeg(buf: Buffer): ImageFacts {
  let offset = 2;
  let size: { width: number; height: number } | undefined;
  const seen = new Set<number>();
  for (;;) {
    if (offset + 4 > buf.length || buf[offset] !== 0xff) fail(`JPEG: no marker at ${offset}`);
    const marker = buf[offset + 1]!;
    const length = buf.readUInt16BE(offset + 2);
    seen.add(marker);
    if (marker === 0xc0) {
      size = { height: buf.readUInt16BE(offset + 5), width: buf.readUInt16BE(offset + 7) };
    } else if (marker >= 0xc1 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      fail('JPEG: not baseline');
    }
    offset += 2 + length;
    if (marker === 0xda) break; // entropy-coded data follows
  }
  if (!size || !seen.has(0xdb) || !seen.has(0xc4)) fail('JPEG: SOF0, DQT and DHT are required before SOS');
  // In entropy-coded data 0xFF is always followed by 0x00 (stuffing) or a marker; the only
  // marker the emulator writes there is EOI, at the very end.
  for (let i = offset; i < buf.length - 2; i++) {
    if (buf[i] === 0xff && buf[i + 1] !== 0) fail(`JPEG: unexpected marker in scan at ${i}`);
  }
  if (buf[buf.length - 2] !== 0xff || buf[buf.length - 1] !== 0xd9) fail('JPEG: no EOI at the end');
  return { format: 'jpg', ...size };
}

function inspectWebp(buf: Buffer): ImageFacts {
  if (buf.toString('latin1', 8, 12) !== 'WEBP') fail('RIFF but not WEBP');
  if (buf.readUInt32LE(4) + 8 !== buf.length) fail('WebP: RIFF size does not match the file');
  let offset = 12;
  let canvas: { width: number; height: number } | undefined;
  let image: { width: number; height: number } | undefined;
  while (offset < buf.length) {
    if (offset + 8 > buf.length) fail('WebP chunk header past the end');
    const type = buf.toString('latin1', offset, offset + 4);
    const length = buf.readUInt32LE(offset + 4);
    const data = buf.subarray(offset + 8, offset + 8 + length);
    if (data.length !== length) fail(`WebP chunk ${type} past the end`);
    if (type === 'VP8X') canvas = { width: data.readUIntLE(4, 3) + 1, height: data.readUIntLE(7, 3) + 1 };
    if (type === 'VP8L') {
      if (data[0] !== 0x2f) fail('VP8L: bad signature');
      const bits = data.readUInt32LE(1);
      if (bits >>> 29 !== 0) fail('VP8L: unknown version');
      image = { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
    offset += 8 + length + (length & 1);
  }
  if (!image) fail('WebP: no VP8L chunk');
  if (canvas && (canvas.width !== image.width || canvas.height !== image.height)) fail('WebP: VP8X size differs');
  return { format: 'webp', ...image };
}

export function inspectImage(bytes: Uint8Array): ImageFacts {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length >= 8 && buf.readUInt32BE(0) === 0x89504e47 && buf.readUInt32BE(4) === 0x0d0a1a0a) {
    return inspectPng(buf);
  }
  if (buf.length >= 4 && buf[0] === 0xff && buf[1] === 0xd8) return inspectJpeg(buf);
  if (buf.length >= 12 && buf.toString('latin1', 0, 4) === 'RIFF') return inspectWebp(buf);
  return fail('unknown format (no PNG, JPEG or RIFF magic)');
}
