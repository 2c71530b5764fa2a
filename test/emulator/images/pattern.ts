// A small deterministic "landscape" (sky gradient, sun with halo rings, wavy hills) so that
// emulated images look like something when a person opens them, and so that the same
// seed+prompt gives the same pixels while another seed gives different ones.
import { createHash } from 'node:crypto';

export interface Rgb {
  width: number;
  height: number;
  /** Packed RGB, row-major, 3 bytes per pixel. */
  data: Uint8Array;
}

const clamp = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v | 0);

export function renderPattern(width: number, height: number, key: string): Rgb {
  const h = createHash('sha256').update(key).digest();
  const byte = (i: number): number => h[i % h.length] ?? 0;
  const skyTop = [byte(0), byte(1), byte(2)];
  const skyBottom = [255 - byte(0) / 2, 200 - byte(4) / 3, byte(5)];
  const sun = [255, 180 + byte(6) / 4, byte(7) / 2];
  const ground = [byte(8) / 2, 80 + byte(9) / 2, byte(10) / 3];
  const cx = width * (0.2 + (byte(11) / 255) * 0.6);
  const cy = height * (0.15 + (byte(12) / 255) * 0.3);
  const radius = Math.min(width, height) * (0.06 + (byte(13) / 255) * 0.08);
  const ringStep = 6 + (byte(14) % 20);
  const horizon = height * (0.55 + (byte(15) / 255) * 0.25);
  const hillAmp = height * (0.03 + (byte(16) / 255) * 0.08);
  const hillFreq = (2 + (byte(17) % 6)) * ((2 * Math.PI) / width);
  const stripe = 4 + (byte(18) % 12);

  // Per-column hill line, computed once: trigonometry per pixel would dominate the cost.
  const hill = new Float32Array(width);
  for (let x = 0; x < width; x++) hill[x] = horizon + hillAmp * Math.sin(x * hillFreq + byte(19));

  const data = new Uint8Array(width * height * 3);
  const r2 = radius * radius;
  let o = 0;
  for (let y = 0; y < height; y++) {
    const t = y / height;
    const skyR = skyTop[0]! + (skyBottom[0]! - skyTop[0]!) * t;
    const skyG = skyTop[1]! + (skyBottom[1]! - skyTop[1]!) * t;
    const skyB = skyTop[2]! + (skyBottom[2]! - skyTop[2]!) * t;
    const dy2 = (y - cy) * (y - cy);
    for (let x = 0; x < width; x++, o += 3) {
      const hy = hill[x]!;
      if (y > hy) {
        // Ground: darker further down, with soft furrows.
        const depth = (y - hy) / (height - hy + 1);
        const furrow = (y + (x >> 3)) % stripe < stripe / 2 ? 12 : -12;
        data[o] = clamp(ground[0]! * (1 - depth * 0.6) + furrow);
        data[o + 1] = clamp(ground[1]! * (1 - depth * 0.5) + furrow);
        data[o + 2] = clamp(ground[2]! * (1 - depth * 0.4));
        continue;
      }
      const d2 = (x - cx) * (x - cx) + dy2;
      if (d2 < r2) {
        data[o] = sun[0]!;
        data[o + 1] = clamp(sun[1]!);
        data[o + 2] = clamp(sun[2]!);
        continue;
      }
      const d = Math.sqrt(d2);
      const halo = Math.max(0, 1 - d / (radius * 5));
      const ring = ((d / ringStep) | 0) % 2 === 0 ? 10 * halo : 0;
      data[o] = clamp(skyR + (sun[0]! - skyR) * halo * 0.6 + ring);
      data[o + 1] = clamp(skyG + (sun[1]! - skyG) * halo * 0.6 + ring);
      data[o + 2] = clamp(skyB + (sun[2]! - skyB) * halo * 0.6);
    }
  }
  return { width, height, data };
}
