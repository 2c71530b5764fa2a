// Huge-but-valid image bodies for benchmarks: the encoded image is split where the container
// allows extra data (a private PNG chunk, JPEG COM segments, unknown RIFF chunks in an
// extended WebP), and zero-filled padding is produced lazily, so a 200 MB download never
// sits in memory.
import { crc32, PNG_PAD_CHUNK } from './png.js';
import { riffHeader, vp8xChunk } from './webp.js';
import type { EncodedImage } from './index.js';

export interface PadSegment {
  header: Buffer;
  dataLength: number;
  trailer: Buffer;
}

/** A response body given as parts, with its exact total length known up front. */
export interface ImageBody {
  length: number;
  contentType: string;
  head: Buffer;
  segments: PadSegment[];
  tail: Buffer;
}

const ZEROS = Buffer.alloc(64 * 1024);

/** Yield the body bytes in pieces of at most 64 KB (shared zero buffer for the padding). */
export function* bodyChunks(body: ImageBody): Generator<Buffer> {
  yield body.head;
  for (const seg of body.segments) {
    yield seg.header;
    for (let left = seg.dataLength; left > 0; left -= ZEROS.length) {
      yield left >= ZEROS.length ? ZEROS : ZEROS.subarray(0, left);
    }
    if (seg.trailer.length) yield seg.trailer;
  }
  yield body.tail;
}

/**
 * Split `pad` bytes into segment data sizes, each segment costing `overhead` more. The total
 * is exact unless `pad` is smaller than one segment's overhead (then it rounds up).
 */
function planSegments(pad: number, overhead: number, max: number, even: boolean): number[] {
  const sizes: number[] = [];
  let left = pad;
  while (left > 0) {
    let data = Math.min(max, Math.max(0, left - overhead));
    const leftover = left - overhead - data;
    // Never leave a remainder too small to hold another segment header.
    if (leftover > 0 && leftover < overhead) data = Math.max(0, data - overhead);
    if (even) data -= data % 2;
    sizes.push(data);
    left -= data + overhead;
  }
  return sizes;
}

const pngCrcCache = new Map<number, number>();

/** CRC of a padding chunk (type + zeros): the same for every chunk of one size, so memoised. */
function paddingChunkCrc(length: number): number {
  let crc = pngCrcCache.get(length);
  if (crc === undefined) {
    crc = crc32(Buffer.from(PNG_PAD_CHUNK, 'latin1'));
    for (let left = length; left > 0; left -= ZEROS.length) {
      crc = crc32(left >= ZEROS.length ? ZEROS : ZEROS.subarray(0, left), crc);
    }
    pngCrcCache.set(length, crc);
  }
  return crc;
}

function pngSegment(length: number): PadSegment {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(length, 0);
  header.write(PNG_PAD_CHUNK, 4, 'latin1');
  const trailer = Buffer.alloc(4);
  trailer.writeUInt32BE(paddingChunkCrc(length), 0);
  return { header, dataLength: length, trailer };
}

function jpegSegment(length: number): PadSegment {
  // COM segment; its length field counts itself.
  const header = Buffer.from([0xff, 0xfe, (length + 2) >> 8, (length + 2) & 0xff]);
  return { header, dataLength: length, trailer: Buffer.alloc(0) };
}

function riffSegment(length: number): PadSegment {
  const header = Buffer.alloc(8);
  header.write('PADD', 0, 'latin1');
  header.writeUInt32LE(length, 4);
  return { header, dataLength: length, trailer: Buffer.alloc(0) };
}

const sum = (segments: PadSegment[]): number =>
  segments.reduce((n, s) => n + s.header.length + s.dataLength + s.trailer.length, 0);

/** The served body of an image, with `padBytes` of valid padding (0 = the plain file). */
export function paddedBody(image: EncodedImage, padBytes: number): ImageBody {
  const { bytes, contentType } = image;
  const pad = Math.max(0, Math.floor(padBytes));
  if (pad === 0) {
    return { length: bytes.length, contentType, head: bytes, segments: [], tail: Buffer.alloc(0) };
  }
  if (image.format === 'webp') {
    // Unknown chunks are only allowed in the extended format: add VP8X (18 bytes) first.
    const vp8x = vp8xChunk(image.width, image.height);
    const segments = planSegments(Math.max(0, pad - vp8x.length), 8, 1 << 20, true).map(riffSegment);
    const length = 12 + vp8x.length + sum(segments) + image.imageChunk.length;
    const head = Buffer.concat([riffHeader(length), vp8x]);
    return { length, contentType, head, segments, tail: image.imageChunk };
  }
  const segments =
    image.format === 'png'
      ? planSegments(pad, 12, 1 << 20, false).map(pngSegment)
      : planSegments(pad, 4, 65533, false).map(jpegSegment);
  const head = bytes.subarray(0, image.padOffset);
  const tail = bytes.subarray(image.padOffset);
  return { length: bytes.length + sum(segments), contentType, head, segments, tail };
}
