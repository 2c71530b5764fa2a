// Image rendering for the emulator: pick the encoder for the output format, and cache the
// result. The JavaScript encoders are the suite's most expensive code (a 1 MP JPEG costs about
// 120 ms), so PNG and JPEG pixels are encoded once per (format, size, quality) and each
// seed/prompt/index gets its own bytes from a small metadata stamp (a PNG tEXt chunk, a JPEG
// COM segment) that decoders ignore: the same key still gives the same bytes, another key
// other bytes, and every file stays valid. WebP (about 25 ms at 1 MP) keeps per-key pixels,
// so that its simple VP8L container stays as a real answer's.
import { createHash } from 'node:crypto';
import { encodeJpeg } from './jpeg.js';
import { renderPattern } from './pattern.js';
import { encodePng, pngChunk } from './png.js';
import { encodeWebp } from './webp.js';

export type ImageFormat = 'png' | 'jpg' | 'webp';

export interface ImageSpec {
  format: ImageFormat;
  width: number;
  height: number;
  /** JPEG quality 0–100 (ignored for png/webp, as upstream ignores it for png). */
  quality: number;
  /** Everything the pixels depend on (seed, prompt, index...). */
  key: string;
}

export interface EncodedImage {
  format: ImageFormat;
  width: number;
  height: number;
  contentType: string;
  bytes: Buffer;
  /** Where padding may be inserted (png, jpg). */
  padOffset: number;
  /** The "VP8L" chunk (webp), to rebuild an extended file around padding. */
  imageChunk: Buffer;
}

export const CONTENT_TYPES: Record<ImageFormat, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  webp: 'image/webp',
};

const CACHE_LIMIT = 48;
const cache = new Map<string, EncodedImage>();
/** Encoded pixels shared by every key, per (format, size, quality); a handful per test file. */
const pixels = new Map<string, EncodedImage>();
const SHARED_KEY = 'flux-krea emulator';

/** `image` with a stamp that names `key`, where the container allows extra data. */
function stamped(image: EncodedImage, key: string): EncodedImage {
  const text = `flux-krea-emulator\0${createHash('sha256').update(key).digest('hex')}`;
  const data = Buffer.from(text, 'latin1');
  const stamp =
    image.format === 'png'
      ? pngChunk('tEXt', data)
      : // A COM segment; its length field counts itself.
        Buffer.concat([Buffer.from([0xff, 0xfe, (data.length + 2) >> 8, (data.length + 2) & 0xff]), data]);
  const at = image.padOffset;
  const bytes = Buffer.concat([image.bytes.subarray(0, at), stamp, image.bytes.subarray(at)]);
  return { ...image, bytes, padOffset: at + stamp.length };
}

function encode(spec: ImageSpec): EncodedImage {
  const rgb = renderPattern(spec.width, spec.height, spec.key);
  const base = { format: spec.format, width: spec.width, height: spec.height, contentType: CONTENT_TYPES[spec.format] };
  switch (spec.format) {
    case 'png': {
      const png = encodePng(rgb);
      return { ...base, bytes: png.bytes, padOffset: png.padOffset, imageChunk: Buffer.alloc(0) };
    }
    case 'jpg': {
      const jpeg = encodeJpeg(rgb, spec.quality);
      return { ...base, bytes: jpeg.bytes, padOffset: jpeg.padOffset, imageChunk: Buffer.alloc(0) };
    }
    case 'webp': {
      const webp = encodeWebp(rgb);
      return { ...base, bytes: webp.bytes, padOffset: 12, imageChunk: webp.imageChunk };
    }
  }
}

/** The pixels `renderImage(spec)` encodes: PNG and JPEG share one pattern per size (the key is a stamp). */
export function sourcePixels(spec: Pick<ImageSpec, 'format' | 'width' | 'height' | 'key'>) {
  return renderPattern(spec.width, spec.height, spec.format === 'webp' ? spec.key : SHARED_KEY);
}

export function renderImage(spec: ImageSpec): EncodedImage {
  const quality = spec.format === 'jpg' ? spec.quality : 0;
  const id = `${spec.format}|${spec.width}x${spec.height}|${quality}|${spec.key}`;
  let image = cache.get(id);
  if (image) {
    // Re-insert: Map keeps insertion order, which makes this a small LRU.
    cache.delete(id);
  } else {
    if (spec.format === 'webp') image = encode(spec);
    else {
      const shared = `${spec.format}|${spec.width}x${spec.height}|${quality}`;
      let base = pixels.get(shared);
      if (!base) {
        base = encode({ ...spec, key: SHARED_KEY });
        pixels.set(shared, base);
      }
      image = stamped(base, spec.key);
    }
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  }
  cache.set(id, image);
  return image;
}

export { bodyChunks, paddedBody, type ImageBody } from './padding.js';
