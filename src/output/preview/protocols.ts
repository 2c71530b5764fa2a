/**
 * One image as the bytes a terminal draws, per protocol. Each function takes pixels already
 * downscaled to what will be shown, and the size in terminal cells it should occupy.
 *
 * - kitty graphics: APC `ESC _ G <keys> ; <base64> ESC \`, PNG (f=100) in chunks of 4096
 *   base64 bytes (m=1 on all but the last), q=2 so the terminal sends no reply to our stdin,
 *   C=1 so the cursor stays put (the layout moves it).
 * - iTerm2: OSC `ESC ] 1337 ; File=inline=1;...: <base64 PNG> BEL`.
 * - sixel: DCS `ESC P q`, a 216-colour cube palette, six pixel rows per band, run-length coded.
 * - half-blocks: U+2580 with the top pixel as foreground and the bottom one as background,
 *   in 24-bit colour or the nearest of xterm's 256.
 */
import { encodePng } from './png.js';
import type { Pixels } from './pixels.js';

const ESC = '\u001b';
const ST = `${ESC}\\`;

/** Wraps a sequence for tmux (`allow-passthrough on`): DCS tmux; with every ESC doubled. */
export function tmuxPassthrough(seq: string): string {
  return `${ESC}Ptmux;${seq.replaceAll(ESC, ESC + ESC)}${ST}`;
}

export function kittyImage(p: Pixels, cols: number, rows: number, wrap: (s: string) => string = (s) => s): string {
  const b64 = encodePng(p).toString('base64');
  const parts: string[] = [];
  for (let i = 0; i < b64.length; i += 4096) {
    const more = i + 4096 < b64.length ? 1 : 0;
    const keys = i === 0 ? `a=T,f=100,q=2,C=1,c=${cols},r=${rows},m=${more}` : `m=${more}`;
    parts.push(wrap(`${ESC}_G${keys};${b64.slice(i, i + 4096)}${ST}`));
  }
  return parts.join('');
}

export function itermImage(
  p: Pixels,
  cols: number,
  rows: number,
  name: string,
  wrap: (s: string) => string = (s) => s,
): string {
  const png = encodePng(p);
  const args = [
    `name=${Buffer.from(name).toString('base64')}`,
    `size=${png.length}`,
    `width=${cols}`,
    `height=${rows}`,
    'preserveAspectRatio=1',
    'inline=1',
  ];
  return wrap(`${ESC}]1337;File=${args.join(';')}:${png.toString('base64')}\u0007`);
}

/** The 6×6×6 cube's level for an 8-bit value, and back. */
const LEVELS = [0, 95, 135, 175, 215, 255];
function cubeIndex(v: number): number {
  return v < 48 ? 0 : v < 115 ? 1 : Math.min(5, Math.floor((v - 35) / 40));
}

export function sixelImage(p: Pixels): string {
  const { width, height, data } = p;
  const colour = new Uint8Array(width * height);
  for (let i = 0; i < width * height; i++) {
    colour[i] = cubeIndex(data[i * 4]!) * 36 + cubeIndex(data[i * 4 + 1]!) * 6 + cubeIndex(data[i * 4 + 2]!);
  }
  // Raster attributes: 1:1 pixel aspect, then the size, so terminals reserve the space at once.
  let out = `${ESC}Pq"1;1;${width};${height}`;
  const used = new Set(colour);
  for (const c of used) {
    const pct = (l: number) => Math.round((LEVELS[l]! * 100) / 255);
    out += `#${c};2;${pct(Math.floor(c / 36))};${pct(Math.floor(c / 6) % 6)};${pct(c % 6)}`;
  }
  for (let top = 0; top < height; top += 6) {
    const bandRows = Math.min(6, height - top);
    const inBand = new Set<number>();
    for (let y = top; y < top + bandRows; y++) for (let x = 0; x < width; x++) inBand.add(colour[y * width + x]!);
    const lines: string[] = [];
    for (const c of inBand) {
      let line = `#${c}`;
      let run = 0;
      let prev = -1;
      const flush = () => {
        if (run === 0) return;
        const ch = String.fromCharCode(63 + prev);
        line += run > 3 ? `!${run}${ch}` : ch.repeat(run);
      };
      for (let x = 0; x < width; x++) {
        let bits = 0;
        for (let r = 0; r < bandRows; r++) if (colour[(top + r) * width + x] === c) bits |= 1 << r;
        if (bits === prev) run++;
        else {
          flush();
          prev = bits;
          run = 1;
        }
      }
      flush();
      lines.push(line);
    }
    // `$` returns to the band's start for the next colour; `-` moves to the next band.
    out += `${lines.join('$')}-`;
  }
  return `${out}${ST}`;
}

export type BlockDepth = 'truecolor' | 'ansi256';

/** The nearest xterm-256 colour: the 6×6×6 cube or the 24-step grey ramp, whichever is closer. */
export function ansi256(r: number, g: number, b: number): number {
  const [cr, cg, cb] = [cubeIndex(r), cubeIndex(g), cubeIndex(b)];
  const cube = 16 + 36 * cr + 6 * cg + cb;
  const dCube = (LEVELS[cr]! - r) ** 2 + (LEVELS[cg]! - g) ** 2 + (LEVELS[cb]! - b) ** 2;
  const grey = Math.round((r + g + b) / 3);
  const gi = Math.max(0, Math.min(23, Math.round((grey - 8) / 10)));
  const gv = 8 + gi * 10;
  const dGrey = (gv - r) ** 2 + (gv - g) ** 2 + (gv - b) ** 2;
  return dGrey < dCube ? 232 + gi : cube;
}

/**
 * Lines of half-blocks for pixels of width = columns and height = 2 × rows (an odd last row
 * is padded with black). Each line ends with a reset, so nothing bleeds into what follows.
 */
export function halfBlockLines(p: Pixels, depth: BlockDepth): string[] {
  const lines: string[] = [];
  const px = (x: number, y: number): [number, number, number] => {
    if (y >= p.height) return [0, 0, 0];
    const i = (y * p.width + x) * 4;
    return [p.data[i]!, p.data[i + 1]!, p.data[i + 2]!];
  };
  const code = (layer: 38 | 48, [r, g, b]: [number, number, number]) =>
    depth === 'truecolor' ? `${layer};2;${r};${g};${b}` : `${layer};5;${ansi256(r, g, b)}`;
  for (let y = 0; y < p.height; y += 2) {
    let line = '';
    let last = '';
    for (let x = 0; x < p.width; x++) {
      const sgr = `${code(38, px(x, y))};${code(48, px(x, y + 1))}`;
      if (sgr !== last) line += `${ESC}[${sgr}m`;
      last = sgr;
      line += '\u2580';
    }
    lines.push(`${line}${ESC}[0m`);
  }
  return lines;
}
