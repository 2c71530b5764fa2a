/**
 * Provenance inside the image file, without re-encoding a single pixel:
 * - PNG: an XMP packet in an iTXt chunk (keyword `XML:com.adobe.xmp`) before the first IDAT:
 *   text after the image data is legal, but readers that stop at the pixels miss it and
 *   exiftool warns "Text/EXIF chunk(s) found after PNG IDAT". A file that already has someone
 *   else's XMP (only one packet is allowed) gets the JSON alone in an iTXt chunk with the
 *   keyword `flux-krea`, which is also what earlier versions wrote, and is still read back.
 * - JPEG: an APP1 XMP segment after the leading APPn segments (JFIF/Exif stay first); when
 *   the file already has someone else's XMP (only one packet is allowed), a COM segment.
 * - WebP: an `XMP ` chunk. Simple (VP8/VP8L) files are first turned into extended ones by
 *   adding a VP8X header with the canvas size read from the bitstream header; the RIFF size
 *   is fixed. The pixels are untouched.
 * Embedding again replaces our earlier metadata instead of stacking it.
 */
import { inflateSync } from 'node:zlib';
import { isOurXmp, jsonFromXmp, xmpPacket } from './xmp.js';

export class EmbedError extends Error {}

export interface EmbedText {
  json: string;
  creator: string;
  description: string;
}

const PNG_SIG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PNG_KEYWORD = 'flux-krea';
const PNG_XMP_KEYWORD = 'XML:com.adobe.xmp';
const XMP_ID = Buffer.from('http://ns.adobe.com/xap/1.0/\0', 'latin1');
const COM_PREFIX = 'flux-krea:';

export function formatOf(b: Buffer): 'png' | 'jpg' | 'webp' | undefined {
  if (b.length >= 8 && b.subarray(0, 8).equals(PNG_SIG)) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpg';
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  return undefined;
}

export function embedProvenance(b: Buffer, t: EmbedText): Buffer {
  switch (formatOf(b)) {
    case 'png':
      return embedPng(b, t);
    case 'jpg':
      return embedJpeg(b, t);
    case 'webp':
      return embedWebp(b, t);
    default:
      throw new EmbedError('only PNG, JPEG and WebP files can carry embedded metadata');
  }
}

/** The embedded JSON, or undefined when the file carries none of ours. */
export function extractProvenance(b: Buffer): string | undefined {
  switch (formatOf(b)) {
    case 'png': {
      for (const c of pngChunks(b)) {
        if (c.type !== 'iTXt') continue;
        const keyword = itxtKeyword(c.data);
        if (keyword === PNG_KEYWORD) return itxtText(c.data);
        if (keyword === PNG_XMP_KEYWORD) {
          const json = jsonFromXmp(itxtText(c.data));
          if (json !== undefined) return json;
        }
      }
      return undefined;
    }
    case 'jpg': {
      for (const s of jpegSegments(b).segments) {
        if (s.marker === 0xe1 && s.data.subarray(0, XMP_ID.length).equals(XMP_ID)) {
          const json = jsonFromXmp(s.data.subarray(XMP_ID.length).toString('utf8'));
          if (json !== undefined) return json;
        }
        if (s.marker === 0xfe && s.data.toString('utf8', 0, COM_PREFIX.length) === COM_PREFIX)
          return s.data.subarray(COM_PREFIX.length).toString('utf8');
      }
      return undefined;
    }
    case 'webp': {
      const xmp = riffChunks(b).find((c) => c.fourcc === 'XMP ');
      return xmp ? jsonFromXmp(xmp.data.toString('utf8')) : undefined;
    }
    default:
      return undefined;
  }
}

// ---- PNG ----

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

interface PngChunk {
  type: string;
  data: Buffer;
  start: number;
  end: number;
}

export function pngChunks(b: Buffer): PngChunk[] {
  const chunks: PngChunk[] = [];
  for (let i = 8; i + 12 <= b.length;) {
    const len = b.readUInt32BE(i);
    const end = i + 12 + len;
    if (end > b.length) throw new EmbedError('the PNG file is truncated');
    chunks.push({ type: b.toString('latin1', i + 4, i + 8), data: b.subarray(i + 8, i + 8 + len), start: i, end });
    i = end;
  }
  return chunks;
}

function itxtKeyword(data: Buffer): string {
  const nul = data.indexOf(0);
  return data.toString('latin1', 0, nul < 0 ? 0 : nul);
}

/** The text of an iTXt chunk: after keyword, flags, language tag and translated keyword. */
function itxtText(data: Buffer): string {
  let i = data.indexOf(0) + 1;
  const compressed = data[i] === 1;
  i += 2;
  i = data.indexOf(0, i) + 1;
  i = data.indexOf(0, i) + 1;
  const text = data.subarray(i);
  return (compressed ? inflateSync(text) : text).toString('utf8');
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
  return Buffer.concat([head, data, crc]);
}

/** keyword, NUL, compression flag 0, method 0, empty language tag NUL, empty translated keyword NUL, text. */
function itxt(keyword: string, text: string): Buffer {
  return pngChunk(
    'iTXt',
    Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0, 0, 0, 0, 0]), Buffer.from(text, 'utf8')]),
  );
}

function embedPng(b: Buffer, t: EmbedText): Buffer {
  const chunks = pngChunks(b);
  if (!chunks.some((c) => c.type === 'IEND')) throw new EmbedError('the PNG file has no IEND chunk');
  const isXmp = (c: PngChunk) => c.type === 'iTXt' && itxtKeyword(c.data) === PNG_XMP_KEYWORD;
  const ours = (c: PngChunk) =>
    c.type === 'iTXt' && (itxtKeyword(c.data) === PNG_KEYWORD || (isXmp(c) && isOurXmp(itxtText(c.data))));
  const kept = chunks.filter((c) => !ours(c));
  const chunk = kept.some(isXmp)
    ? itxt(PNG_KEYWORD, t.json)
    : itxt(PNG_XMP_KEYWORD, xmpPacket(t.json, t.creator, t.description));
  // Before the first IDAT (issue 13 item 12): where readers look for metadata.
  const at = kept.findIndex((c) => c.type === 'IDAT' || c.type === 'IEND');
  const raw = kept.map((c) => b.subarray(c.start, c.end));
  return Buffer.concat([PNG_SIG, ...raw.slice(0, at), chunk, ...raw.slice(at)]);
}

// ---- JPEG ----

interface JpegSegment {
  marker: number;
  data: Buffer;
  start: number;
  end: number;
}

/** Segments from SOI up to (not including) SOS; `rest` is where the scan data starts. */
export function jpegSegments(b: Buffer): { segments: JpegSegment[]; rest: number } {
  const segments: JpegSegment[] = [];
  let i = 2;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) throw new EmbedError('the JPEG file has a broken segment structure');
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    } // fill byte
    if (marker === 0xda || marker === 0xd9) return { segments, rest: i };
    const len = b.readUInt16BE(i + 2);
    if (len < 2 || i + 2 + len > b.length) throw new EmbedError('the JPEG file is truncated');
    segments.push({ marker, data: b.subarray(i + 4, i + 2 + len), start: i, end: i + 2 + len });
    i += 2 + len;
  }
  throw new EmbedError('the JPEG file has no image data');
}

function jpegSegment(marker: number, data: Buffer): Buffer {
  if (data.length + 2 > 0xffff) throw new EmbedError('the metadata is too large for a JPEG segment (64 KB)');
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(data.length + 2, 2);
  return Buffer.concat([head, data]);
}

function embedJpeg(b: Buffer, t: EmbedText): Buffer {
  const { segments, rest } = jpegSegments(b);
  const isXmp = (s: JpegSegment) => s.marker === 0xe1 && s.data.subarray(0, XMP_ID.length).equals(XMP_ID);
  const ours = (s: JpegSegment) =>
    (isXmp(s) && isOurXmp(s.data.toString('utf8'))) ||
    (s.marker === 0xfe && s.data.toString('utf8', 0, COM_PREFIX.length) === COM_PREFIX);
  const kept = segments.filter((s) => !ours(s));
  const foreignXmp = kept.some(isXmp);
  const segment = foreignXmp
    ? jpegSegment(0xfe, Buffer.from(COM_PREFIX + t.json, 'utf8'))
    : jpegSegment(0xe1, Buffer.concat([XMP_ID, Buffer.from(xmpPacket(t.json, t.creator, t.description), 'utf8')]));
  let at = 0;
  while (at < kept.length && kept[at]!.marker >= 0xe0 && kept[at]!.marker <= 0xef) at++;
  const parts = kept.map((s) => b.subarray(s.start, s.end));
  parts.splice(at, 0, segment);
  return Buffer.concat([b.subarray(0, 2), ...parts, b.subarray(rest)]);
}

// ---- WebP ----

interface RiffChunk {
  fourcc: string;
  data: Buffer;
  start: number;
  end: number;
}

export function riffChunks(b: Buffer): RiffChunk[] {
  const size = b.readUInt32LE(4);
  if (size + 8 > b.length) throw new EmbedError('the WebP file is truncated');
  const chunks: RiffChunk[] = [];
  for (let i = 12; i + 8 <= size + 8;) {
    const len = b.readUInt32LE(i + 4);
    const end = i + 8 + len + (len & 1);
    if (i + 8 + len > size + 8) throw new EmbedError('the WebP file has a broken chunk');
    chunks.push({
      fourcc: b.toString('latin1', i, i + 4),
      data: b.subarray(i + 8, i + 8 + len),
      start: i,
      end: Math.min(end, size + 8),
    });
    i = end;
  }
  return chunks;
}

function riffChunk(fourcc: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.write(fourcc, 0, 'latin1');
  head.writeUInt32LE(data.length, 4);
  return Buffer.concat([head, data, data.length & 1 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

const VP8X_XMP = 0x04;
const VP8X_ALPHA = 0x10;

/** A VP8X header for a simple file: canvas size and alpha read from the VP8/VP8L bitstream header. */
function vp8xFor(image: RiffChunk): Buffer {
  let width: number;
  let height: number;
  let alpha = false;
  const d = image.data;
  if (image.fourcc === 'VP8L') {
    if (d.length < 5 || d[0] !== 0x2f) throw new EmbedError('the WebP lossless header is not valid');
    const bits = d.readUInt32LE(1);
    width = (bits & 0x3fff) + 1;
    height = ((bits >>> 14) & 0x3fff) + 1;
    alpha = ((bits >>> 28) & 1) === 1;
  } else {
    if (d.length < 10 || d[3] !== 0x9d || d[4] !== 0x01 || d[5] !== 0x2a)
      throw new EmbedError('the WebP lossy header is not valid');
    width = d.readUInt16LE(6) & 0x3fff;
    height = d.readUInt16LE(8) & 0x3fff;
  }
  const x = Buffer.alloc(10);
  x[0] = alpha ? VP8X_ALPHA : 0;
  x.writeUIntLE(width - 1, 4, 3);
  x.writeUIntLE(height - 1, 7, 3);
  return x;
}

function embedWebp(b: Buffer, t: EmbedText): Buffer {
  const chunks = riffChunks(b);
  const first = chunks[0];
  if (!first) throw new EmbedError('the WebP file has no chunks');
  const foreign = chunks.find((c) => c.fourcc === 'XMP ' && !isOurXmp(c.data.toString('utf8')));
  if (foreign) throw new EmbedError('the WebP file already carries XMP metadata of its own');
  let vp8x: Buffer;
  if (first.fourcc === 'VP8X') vp8x = Buffer.from(first.data);
  else if (first.fourcc === 'VP8 ' || first.fourcc === 'VP8L') vp8x = vp8xFor(first);
  else throw new EmbedError(`the WebP file starts with an unknown chunk ${JSON.stringify(first.fourcc)}`);
  vp8x[0] = vp8x[0]! | VP8X_XMP;
  const rest = chunks.filter((c) => c.fourcc !== 'VP8X' && c.fourcc !== 'XMP ').map((c) => riffChunk(c.fourcc, c.data));
  const body = Buffer.concat([
    Buffer.from('WEBP', 'latin1'),
    riffChunk('VP8X', vp8x),
    ...rest,
    riffChunk('XMP ', Buffer.from(xmpPacket(t.json, t.creator, t.description), 'utf8')),
  ]);
  const head = Buffer.alloc(8);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}
