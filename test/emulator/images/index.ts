// Image rendering for the emulator: pick the encoder for the output format, and cache the
// result because a client typically downloads each image once per test but several tests
// ask for the same seed/prompt/size.
import { encodeJpeg } from './jpeg.js';
import { renderPattern } from './pattern.js';
import { encodePng } from './png.js';
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

export function renderImage(spec: ImageSpec): EncodedImage {
  const quality = spec.format === 'jpg' ? spec.quality : 0;
  const id = `${spec.format}|${spec.width}x${spec.height}|${quality}|${spec.key}`;
  let image = cache.get(id);
  if (image) {
    // Re-insert: Map keeps insertion order, which makes this a small LRU.
    cache.delete(id);
  } else {
    image = encode(spec);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  }
  cache.set(id, image);
  return image;
}

export { bodyChunks, paddedBody, type ImageBody } from './padding.js';
