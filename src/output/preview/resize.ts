/** Downscaling before anything is encoded: a terminal or a thumbnail needs a few hundred pixels, not a megapixel. */
import type { Pixels } from './pixels.js';

/** The largest size with the image's aspect that fits in maxWidth × maxHeight (never enlarged). */
export function fitSize(
  width: number,
  height: number,
  maxWidth: number,
  maxHeight: number,
): { width: number; height: number } {
  const scale = Math.min(1, maxWidth / width, maxHeight / height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * Area averaging (a box filter over each target pixel's footprint): sharp enough for a
 * preview, no aliasing from skipped pixels, and simple. Transparent pixels are weighted by
 * their alpha so that edges do not darken.
 */
export function resize(src: Pixels, width: number, height: number): Pixels {
  if (width === src.width && height === src.height) return src;
  const out = new Uint8Array(width * height * 4);
  const sx = src.width / width;
  const sy = src.height / height;
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor(y * sy);
    const y1 = Math.max(y0 + 1, Math.min(src.height, Math.floor((y + 1) * sy)));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor(x * sx);
      const x1 = Math.max(x0 + 1, Math.min(src.width, Math.floor((x + 1) * sx)));
      let r = 0,
        g = 0,
        b = 0,
        a = 0,
        n = 0;
      for (let yy = y0; yy < y1; yy++) {
        let i = (yy * src.width + x0) * 4;
        for (let xx = x0; xx < x1; xx++, i += 4) {
          const al = src.data[i + 3]!;
          r += src.data[i]! * al;
          g += src.data[i + 1]! * al;
          b += src.data[i + 2]! * al;
          a += al;
          n++;
        }
      }
      const o = (y * width + x) * 4;
      if (a > 0) {
        out[o] = Math.round(r / a);
        out[o + 1] = Math.round(g / a);
        out[o + 2] = Math.round(b / a);
      }
      out[o + 3] = Math.round(a / n);
    }
  }
  return { width, height, data: out };
}

/** Blends transparency onto a background colour, for outputs that have no alpha (half-blocks, sixel, JPEG). */
export function flatten(p: Pixels, bg: [number, number, number] = [0, 0, 0]): Pixels {
  const out = new Uint8Array(p.data.length);
  for (let i = 0; i < p.data.length; i += 4) {
    const a = p.data[i + 3]! / 255;
    for (let c = 0; c < 3; c++) out[i + c] = Math.round(p.data[i + c]! * a + bg[c]! * (1 - a));
    out[i + 3] = 255;
  }
  return { width: p.width, height: p.height, data: out };
}
