/** Decoded pixels: 8-bit RGBA, row after row, no padding. */
export interface Pixels {
  width: number;
  height: number;
  data: Uint8Array;
}

export class DecodeError extends Error {}

/**
 * A picture no terminal or thumbnail needs more of: decoders refuse anything larger, so a
 * hostile file cannot make the preview allocate gigabytes. FLUX images are at most ~1.6 MP.
 */
export const MAX_PIXELS = 40_000_000;

export function checkSize(width: number, height: number): void {
  if (!(width > 0 && height > 0)) throw new DecodeError(`the image has no pixels (${width}×${height})`);
  if (width * height > MAX_PIXELS) throw new DecodeError(`the image is too large to preview (${width}×${height})`);
}
