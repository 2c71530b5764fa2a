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
 *
 * The walkers read a file only where its structure is (chunk and segment headers, the keywords
 * of text chunks and the whole of XMP ones up to 16 MB, the first bytes of a WebP bitstream),
 * and stop where the container ends: bytes after a PNG's IEND or a WebP's RIFF size are copied
 * as they are, not walked. An embed is a list of parts: new bytes,
 * and ranges of the original copied as they are. A file is rewritten by streaming those
 * parts, so memory does not grow with the image (issue 18: a 60 MB image took +130 MB).
 */
import { readSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { isOurXmp, jsonFromXmp, xmpPacket } from './xmp.js';

export class EmbedError extends Error {}

export interface EmbedText {
  json: string;
  creator: string;
  description: string;
}

/** Random access to an image's bytes: a Buffer, or an open file read only where needed. */
export interface ByteSource {
  readonly length: number;
  /** The bytes from `start` to `end` (fewer past the end). */
  read(start: number, end: number): Buffer;
}

/** A range of the original image, copied unchanged. */
export interface Span {
  start: number;
  end: number;
}

/** The embedded image: new bytes and spans of the original, in order. */
export type Part = Buffer | Span;

export function bufferSource(b: Buffer): ByteSource {
  return { length: b.length, read: (start, end) => b.subarray(start, Math.min(end, b.length)) };
}

/** A file of `size` bytes open as `fd`; its few small reads are synchronous, as parsing is. */
export function fileSource(fd: number, size: number): ByteSource {
  return {
    length: size,
    read(start, end) {
      const out = Buffer.alloc(Math.max(0, Math.min(end, size) - start));
      let got = 0;
      while (got < out.length) {
        const n = readSync(fd, out, got, out.length - got, start + got);
        if (n === 0) throw new EmbedError('the image file changed while it was read');
        got += n;
      }
      return out;
    },
  };
}

const PNG_SIG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PNG_KEYWORD = 'flux-krea';
const PNG_XMP_KEYWORD = 'XML:com.adobe.xmp';
const XMP_ID = Buffer.from('http://ns.adobe.com/xap/1.0/\0', 'latin1');
const COM_PREFIX = 'flux-krea:';
const COM_BYTES = Buffer.from(COM_PREFIX, 'utf8');

export function formatOf(b: Buffer): 'png' | 'jpg' | 'webp' | undefined {
  if (b.length >= 8 && b.subarray(0, 8).equals(PNG_SIG)) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpg';
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  return undefined;
}

/** The image with the record embedded, as parts (see embed). */
export function embedParts(src: ByteSource, t: EmbedText): Part[] {
  switch (formatOf(src.read(0, 12))) {
    case 'png':
      return embedPng(src, t);
    case 'jpg':
      return embedJpeg(src, t);
    case 'webp':
      return embedWebp(src, t);
    default:
      throw new EmbedError('only PNG, JPEG and WebP files can carry embedded metadata');
  }
}

export function embedProvenance(b: Buffer, t: EmbedText): Buffer {
  return Buffer.concat(
    embedParts(bufferSource(b), t).map((p) => (Buffer.isBuffer(p) ? p : b.subarray(p.start, p.end))),
  );
}

/** The embedded JSON, or undefined when the file carries none of ours. */
export function extractProvenance(b: Buffer): string | undefined {
  return extractFrom(bufferSource(b));
}

export function extractFrom(src: ByteSource): string | undefined {
  switch (formatOf(src.read(0, 12))) {
    case 'png': {
      for (const c of pngLayout(src)) {
        const keyword = keywordOf(src, c);
        if (keyword === PNG_KEYWORD) return itxtText(textOf(src, c));
        if (keyword === PNG_XMP_KEYWORD) {
          const json = jsonFromXmp(itxtText(textOf(src, c)) ?? '');
          if (json !== undefined) return json;
        }
      }
      return undefined;
    }
    case 'jpg': {
      for (const at of jpegLayout(src).segments) {
        if (at.marker === 0xe1 && startsWith(src, at, XMP_ID)) {
          const json = jsonFromXmp(dataOf(src, at).subarray(XMP_ID.length).toString('utf8'));
          if (json !== undefined) return json;
        }
        if (at.marker === 0xfe && startsWith(src, at, COM_BYTES))
          return dataOf(src, at).subarray(COM_BYTES.length).toString('utf8');
      }
      return undefined;
    }
    case 'webp': {
      const xmp = riffLayout(src).find((c) => c.fourcc === 'XMP ');
      const text = xmp && textOf(src, xmp);
      return text ? jsonFromXmp(text.toString('utf8')) : undefined;
    }
    default:
      return undefined;
  }
}

/** Where a chunk or segment is in the file: all of it (`start`–`end`) and its data. */
interface Layout extends Span {
  dataStart: number;
  dataEnd: number;
}

const dataOf = (src: ByteSource, l: Layout): Buffer => src.read(l.dataStart, l.dataEnd);

/** Far more than any packet we write (a JPEG's is at most 64 KB): a larger text is someone else's. */
const MAX_TEXT_BYTES = 16 * 1024 * 1024;

/**
 * The data of a chunk that may hold our text, or undefined when it is too large to be ours:
 * someone else's text is not read whole (issue 18), nor a deflate bomb inflated past this.
 */
const textOf = (src: ByteSource, l: Layout): Buffer | undefined =>
  l.dataEnd - l.dataStart <= MAX_TEXT_BYTES ? dataOf(src, l) : undefined;
const spanOf = (l: Layout): Span => ({ start: l.start, end: l.end });
/** Whether the data of a chunk or segment starts with `prefix`, reading no more than that. */
const startsWith = (src: ByteSource, l: Layout, prefix: Buffer): boolean =>
  src.read(l.dataStart, Math.min(l.dataEnd, l.dataStart + prefix.length)).equals(prefix);

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

interface PngChunkAt extends Layout {
  type: string;
}

function pngLayout(src: ByteSource): PngChunkAt[] {
  const chunks: PngChunkAt[] = [];
  for (let i = 8; i + 12 <= src.length;) {
    const head = src.read(i, i + 8);
    const len = head.readUInt32BE(0);
    const end = i + 12 + len;
    if (end > src.length) throw new EmbedError('the PNG file is truncated');
    const type = head.toString('latin1', 4, 8);
    chunks.push({ type, start: i, end, dataStart: i + 8, dataEnd: i + 8 + len });
    // What follows IEND is not PNG (often another tool's trailer): not walked, copied as it is.
    if (type === 'IEND') break;
    i = end;
  }
  return chunks;
}

interface PngChunk {
  type: string;
  data: Buffer;
  start: number;
  end: number;
}

export function pngChunks(b: Buffer): PngChunk[] {
  return pngLayout(bufferSource(b)).map((c) => ({
    type: c.type,
    data: b.subarray(c.dataStart, c.dataEnd),
    start: c.start,
    end: c.end,
  }));
}

/** An iTXt chunk's keyword (1–79 bytes and a NUL), read alone; undefined for other chunks. */
function keywordOf(src: ByteSource, c: PngChunkAt): string | undefined {
  return c.type === 'iTXt' ? itxtKeyword(src.read(c.dataStart, Math.min(c.dataEnd, c.dataStart + 80))) : undefined;
}

function itxtKeyword(data: Buffer): string {
  const nul = data.indexOf(0);
  return data.toString('latin1', 0, nul < 0 ? 0 : nul);
}

/**
 * The text of an iTXt chunk: after keyword, flags, language tag and translated keyword.
 * Undefined when compressed text does not inflate (or inflates past MAX_TEXT_BYTES): the chunk
 * is someone else's, and a broken one must not fail the embed.
 */
function itxtText(data: Buffer | undefined): string | undefined {
  if (!data) return undefined;
  let i = data.indexOf(0) + 1;
  const compressed = data[i] === 1;
  i += 2;
  i = data.indexOf(0, i) + 1;
  i = data.indexOf(0, i) + 1;
  const text = data.subarray(i);
  if (!compressed) return text.toString('utf8');
  try {
    return inflateSync(text, { maxOutputLength: MAX_TEXT_BYTES }).toString('utf8');
  } catch {
    return undefined;
  }
}

/** One PNG chunk: length, type, data, and the CRC of type and data. */
export function pngChunk(type: string, data: Buffer): Buffer {
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

function embedPng(src: ByteSource, t: EmbedText): Part[] {
  const chunks = pngLayout(src);
  if (!chunks.some((c) => c.type === 'IEND')) throw new EmbedError('the PNG file has no IEND chunk');
  // Only the keywords of text chunks are read, and the whole of an XMP one: the image data
  // (and anyone else's text, however large) is copied, never looked at.
  const keywords = new Map(chunks.map((c) => [c, keywordOf(src, c)]));
  const isXmp = (c: PngChunkAt) => keywords.get(c) === PNG_XMP_KEYWORD;
  const ours = (c: PngChunkAt) =>
    keywords.get(c) === PNG_KEYWORD || (isXmp(c) && isOurXmp(itxtText(textOf(src, c)) ?? ''));
  const kept = chunks.filter((c) => !ours(c));
  const chunk = kept.some(isXmp)
    ? itxt(PNG_KEYWORD, t.json)
    : itxt(PNG_XMP_KEYWORD, xmpPacket(t.json, t.creator, t.description));
  // Before the first IDAT (issue 13 item 12): where readers look for metadata.
  const at = kept.findIndex((c) => c.type === 'IDAT' || c.type === 'IEND');
  const raw = kept.map(spanOf);
  const trailer: Span = { start: chunks.at(-1)!.end, end: src.length };
  return [PNG_SIG, ...raw.slice(0, at), chunk, ...raw.slice(at), ...(trailer.end > trailer.start ? [trailer] : [])];
}

// ---- JPEG ----

interface JpegSegmentAt extends Layout {
  marker: number;
}

/** Segments from SOI up to (not including) SOS; `rest` is where the scan data starts. */
function jpegLayout(src: ByteSource): { segments: JpegSegmentAt[]; rest: number } {
  const segments: JpegSegmentAt[] = [];
  let i = 2;
  while (i + 4 <= src.length) {
    const head = src.read(i, i + 4);
    if (head[0] !== 0xff) throw new EmbedError('the JPEG file has a broken segment structure');
    const marker = head[1]!;
    if (marker === 0xff) {
      i++;
      continue;
    } // fill byte
    if (marker === 0xda || marker === 0xd9) return { segments, rest: i };
    const len = head.readUInt16BE(2);
    if (len < 2 || i + 2 + len > src.length) throw new EmbedError('the JPEG file is truncated');
    segments.push({ marker, start: i, end: i + 2 + len, dataStart: i + 4, dataEnd: i + 2 + len });
    i += 2 + len;
  }
  throw new EmbedError('the JPEG file has no image data');
}

interface JpegSegment {
  marker: number;
  data: Buffer;
  start: number;
  end: number;
}

export function jpegSegments(b: Buffer): { segments: JpegSegment[]; rest: number } {
  const { segments, rest } = jpegLayout(bufferSource(b));
  return {
    segments: segments.map((s) => ({
      marker: s.marker,
      data: b.subarray(s.dataStart, s.dataEnd),
      start: s.start,
      end: s.end,
    })),
    rest,
  };
}

function jpegSegment(marker: number, data: Buffer): Buffer {
  if (data.length + 2 > 0xffff) throw new EmbedError('the metadata is too large for a JPEG segment (64 KB)');
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(data.length + 2, 2);
  return Buffer.concat([head, data]);
}

function embedJpeg(src: ByteSource, t: EmbedText): Part[] {
  const { segments, rest } = jpegLayout(src);
  // Only the first bytes of APP1 and COM segments are read, and the whole of an XMP one.
  const isXmp = (s: JpegSegmentAt) => s.marker === 0xe1 && startsWith(src, s, XMP_ID);
  const ours = (s: JpegSegmentAt) =>
    (isXmp(s) && isOurXmp(dataOf(src, s).toString('utf8'))) || (s.marker === 0xfe && startsWith(src, s, COM_BYTES));
  const kept = segments.filter((s) => !ours(s));
  const foreignXmp = kept.some(isXmp);
  const segment = foreignXmp
    ? jpegSegment(0xfe, Buffer.from(COM_PREFIX + t.json, 'utf8'))
    : jpegSegment(0xe1, Buffer.concat([XMP_ID, Buffer.from(xmpPacket(t.json, t.creator, t.description), 'utf8')]));
  let at = 0;
  while (at < kept.length && kept[at]!.marker >= 0xe0 && kept[at]!.marker <= 0xef) at++;
  const parts: Part[] = kept.map(spanOf);
  parts.splice(at, 0, segment);
  return [{ start: 0, end: 2 }, ...parts, { start: rest, end: src.length }];
}

// ---- WebP ----

interface RiffChunkAt extends Layout {
  fourcc: string;
}

function riffLayout(src: ByteSource): RiffChunkAt[] {
  const size = src.read(4, 8).readUInt32LE(0);
  if (size + 8 > src.length) throw new EmbedError('the WebP file is truncated');
  const chunks: RiffChunkAt[] = [];
  for (let i = 12; i + 8 <= size + 8;) {
    const head = src.read(i, i + 8);
    const len = head.readUInt32LE(4);
    const end = i + 8 + len + (len & 1);
    if (i + 8 + len > size + 8) throw new EmbedError('the WebP file has a broken chunk');
    chunks.push({
      fourcc: head.toString('latin1', 0, 4),
      start: i,
      end: Math.min(end, size + 8),
      dataStart: i + 8,
      dataEnd: i + 8 + len,
    });
    i = end;
  }
  return chunks;
}

interface RiffChunk {
  fourcc: string;
  data: Buffer;
  start: number;
  end: number;
}

export function riffChunks(b: Buffer): RiffChunk[] {
  return riffLayout(bufferSource(b)).map((c) => ({
    fourcc: c.fourcc,
    data: b.subarray(c.dataStart, c.dataEnd),
    start: c.start,
    end: c.end,
  }));
}

function riffChunk(fourcc: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.write(fourcc, 0, 'latin1');
  head.writeUInt32LE(data.length, 4);
  return Buffer.concat([head, data, data.length & 1 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

const VP8X_XMP = 0x04;
const VP8X_ALPHA = 0x10;

/** A VP8X header for a simple file: canvas size and alpha from the VP8/VP8L bitstream's first bytes. */
function vp8xFor(fourcc: string, d: Buffer): Buffer {
  let width: number;
  let height: number;
  let alpha = false;
  if (fourcc === 'VP8L') {
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
    if (width === 0 || height === 0) throw new EmbedError('the WebP lossy header is not valid');
  }
  const x = Buffer.alloc(10);
  x[0] = alpha ? VP8X_ALPHA : 0;
  x.writeUIntLE(width - 1, 4, 3);
  x.writeUIntLE(height - 1, 7, 3);
  return x;
}

function embedWebp(src: ByteSource, t: EmbedText): Part[] {
  const chunks = riffLayout(src);
  const first = chunks[0];
  if (!first) throw new EmbedError('the WebP file has no chunks');
  const foreign = chunks.find((c) => c.fourcc === 'XMP ' && !isOurXmp(textOf(src, c)?.toString('utf8') ?? ''));
  if (foreign) throw new EmbedError('the WebP file already carries XMP metadata of its own');
  let vp8x: Buffer;
  if (first.fourcc === 'VP8X') {
    vp8x = Buffer.from(dataOf(src, first));
    if (vp8x.length < 10) throw new EmbedError('the WebP extended header is not valid');
  } else if (first.fourcc === 'VP8 ' || first.fourcc === 'VP8L')
    vp8x = vp8xFor(first.fourcc, src.read(first.dataStart, Math.min(first.dataEnd, first.dataStart + 10)));
  else throw new EmbedError(`the WebP file starts with an unknown chunk ${JSON.stringify(first.fourcc)}`);
  vp8x[0] = vp8x[0]! | VP8X_XMP;
  // Each other chunk as it is (header and data), with its padding byte written out.
  const rest: Part[] = chunks
    .filter((c) => c.fourcc !== 'VP8X' && c.fourcc !== 'XMP ')
    .flatMap((c) => {
      const whole: Span = { start: c.start, end: c.dataEnd };
      return (c.dataEnd - c.dataStart) & 1 ? [whole, Buffer.alloc(1)] : [whole];
    });
  const head: Part[] = [Buffer.from('WEBP', 'latin1'), riffChunk('VP8X', vp8x)];
  const tail = riffChunk('XMP ', Buffer.from(xmpPacket(t.json, t.creator, t.description), 'utf8'));
  const body = [...head, ...rest, tail];
  const riff = Buffer.alloc(8);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(partsLength(body), 4);
  // Bytes after the RIFF container are not WebP (readers stop at its size): copied as they are.
  const end = src.read(4, 8).readUInt32LE(0) + 8;
  return [riff, ...body, ...(end < src.length ? [{ start: end, end: src.length }] : [])];
}

export function partsLength(parts: Part[]): number {
  return parts.reduce((n, p) => n + (Buffer.isBuffer(p) ? p.length : p.end - p.start), 0);
}
