/**
 * Any image flux-krea saves (PNG, JPEG, WebP) to RGBA pixels. The decoders load on first use:
 * a run without --preview or `gallery` never loads them.
 */
import { formatOf } from '../embed.js';
import { checkSize, DecodeError, MAX_PIXELS, type Pixels } from './pixels.js';

export { DecodeError, type Pixels } from './pixels.js';

export async function decodeImage(bytes: Buffer): Promise<Pixels> {
  switch (formatOf(bytes)) {
    case 'png': {
      const { decodePng } = await import('./png.js');
      return decodePng(bytes);
    }
    case 'jpg': {
      // jpeg-js: pure JavaScript (BSD-3-Clause, no dependencies), with limits for hostile files.
      const jpeg = await import('jpeg-js');
      const decode = jpeg.decode ?? (jpeg as unknown as { default: typeof jpeg }).default.decode;
      try {
        const img = decode(bytes, {
          useTArray: true,
          formatAsRGBA: true,
          maxResolutionInMP: MAX_PIXELS / 1e6,
          maxMemoryUsageInMB: 512,
        });
        checkSize(img.width, img.height);
        return { width: img.width, height: img.height, data: img.data };
      } catch (e) {
        if (e instanceof DecodeError) throw e;
        throw new DecodeError(`the JPEG file cannot be decoded (${(e as Error).message})`);
      }
    }
    case 'webp': {
      const { decodeWebp } = await import('./webp.js');
      return decodeWebp(bytes);
    }
    default:
      throw new DecodeError('not a PNG, JPEG or WebP file');
  }
}
