/** Structural checks of saved images, so tests prove files are complete and of the right kind. */
import { readFile } from 'node:fs/promises';

export async function imageInfo(
  path: string,
): Promise<{ format: string; width?: number; height?: number; bytes: number }> {
  const b = await readFile(path);
  if (b.readUInt32BE(0) === 0x89504e47) {
    if (b.subarray(-8, -4).toString('latin1') !== 'IEND') throw new Error(`${path}: PNG without IEND (truncated)`);
    return { format: 'png', width: b.readUInt32BE(16), height: b.readUInt32BE(20), bytes: b.length };
  }
  if (b[0] === 0xff && b[1] === 0xd8) {
    if (b[b.length - 2] !== 0xff || b[b.length - 1] !== 0xd9) throw new Error(`${path}: JPEG without EOI (truncated)`);
    for (let i = 2; i < b.length - 9;) {
      const marker = b[i + 1]!;
      const len = b.readUInt16BE(i + 2);
      if (marker >= 0xc0 && marker <= 0xc2)
        return { format: 'jpg', height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7), bytes: b.length };
      i += 2 + len;
    }
    return { format: 'jpg', bytes: b.length };
  }
  if (b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') {
    if (b.readUInt32LE(4) + 8 !== b.length) throw new Error(`${path}: WebP RIFF size mismatch (truncated)`);
    return { format: 'webp', bytes: b.length };
  }
  throw new Error(`${path}: not an image`);
}
