/**
 * `--preview`: the saved images drawn on stderr after a run. Loaded only when a preview is
 * drawn; it never throws for an image it cannot show (a warning instead): a paid job's
 * result must not fail because of its preview.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { decodeImage, type Pixels } from './decode.js';
import { GAP, label, layout, type Placement } from './layout.js';
import { halfBlockLines, itermImage, kittyImage, sixelImage, tmuxPassthrough } from './protocols.js';
import { fitSize, flatten, resize } from './resize.js';
import {
  chooseProtocol,
  GRAPHICS,
  inMultiplexer,
  queryTerminal,
  worthQuerying,
  type Protocol,
  type QueryStreams,
  type TerminalReply,
} from './terminal.js';

export { previewWanted, PREVIEW_MODES, type PreviewMode } from './wanted.js';
export type { Protocol } from './terminal.js';

export interface PreviewOptions {
  paths: readonly string[];
  env: NodeJS.ProcessEnv;
  /** stderr: a terminal of `columns` × `rows`. */
  write: (s: string) => void;
  columns: number;
  rows?: number;
  /** `auto` draws only real pictures (kitty, iTerm2, sixel) and never queries; `always` asks the terminal and falls back to coloured blocks. */
  mode: 'auto' | 'always';
  /** False under NO_COLOR: no coloured blocks. */
  colour: boolean;
  /** The terminal's input, when stdin is one: used for a short query. */
  input?: () => QueryStreams['input'] | undefined;
  warn?: (message: string) => void;
  /** Injected in tests instead of asking the terminal. */
  reply?: TerminalReply;
}

/** Cell size assumed when the terminal does not say: common fonts are near 10×20 pixels. */
const DEFAULT_CELL = { width: 10, height: 20 };

export async function previewImages(o: PreviewOptions): Promise<{ protocol?: Protocol; shown: number }> {
  // Only `always` asks the terminal: `auto` must never write a byte that is not a picture.
  const input = o.mode === 'always' && worthQuerying(o.env) && !o.reply ? o.input?.() : undefined;
  const reply = o.reply ?? (input ? await queryTerminal({ input, write: o.write }) : {});
  const protocol = chooseProtocol(o.env, reply, o.colour);
  if (!protocol) return { shown: 0 };
  if (o.mode === 'auto' && !GRAPHICS.includes(protocol) && !o.env.FLUX_KREA_PREVIEW_PROTOCOL)
    return { protocol, shown: 0 };

  const images: { name: string; pixels: Pixels }[] = [];
  for (const path of o.paths) {
    try {
      images.push({ name: basename(path), pixels: await decodeImage(await readFile(path)) });
    } catch (e) {
      o.warn?.(`Cannot preview ${path}: ${(e as Error).message}.`);
    }
  }
  if (!images.length) return { protocol, shown: 0 };
  const graphics = GRAPHICS.includes(protocol);
  const cell = reply.cell ?? DEFAULT_CELL;
  const rows = layout(
    images.map((i) => i.pixels),
    { columns: o.columns, rows: o.rows, cellAspect: graphics ? cell.height / cell.width : 2 },
  );
  const wrap = inMultiplexer(o.env) ? tmuxPassthrough : undefined;
  let out = '';
  for (const row of rows) {
    out += graphics
      ? graphicsRow(row, images, protocol, cell, wrap)
      : blockRow(row, images, protocol === 'truecolor' ? 'truecolor' : 'ansi256');
    out += `${labels(row, images)}\n`;
  }
  o.write(out);
  return { protocol, shown: images.length };
}

function scaled(p: Pixels, maxW: number, maxH: number): Pixels {
  const size = fitSize(p.width, p.height, maxW, maxH);
  return resize(p, size.width, size.height);
}

function labels(row: Placement[], images: { name: string }[]): string {
  let line = '';
  for (const p of row) line += ' '.repeat(p.col - [...line].length) + label(images[p.index]!.name, p.cols);
  return line.trimEnd();
}

function blockRow(row: Placement[], images: { pixels: Pixels }[], depth: 'truecolor' | 'ansi256'): string {
  const height = Math.max(...row.map((p) => p.rows));
  const drawn = row.map((p) => halfBlockLines(flatten(resize(images[p.index]!.pixels, p.cols, p.rows * 2)), depth));
  let out = '';
  for (let y = 0; y < height; y++) {
    out += `${row
      .map((p, i) => drawn[i]![y] ?? ' '.repeat(p.cols))
      .join(' '.repeat(GAP))
      .trimEnd()}\n`;
  }
  return out;
}

/**
 * Pictures sit side by side through cursor moves: make room with newlines (scrolling if
 * needed), go back up, save the cursor, and draw each image from the saved place moved right.
 */
function graphicsRow(
  row: Placement[],
  images: { name: string; pixels: Pixels }[],
  protocol: Protocol,
  cell: { width: number; height: number },
  wrap?: (s: string) => string,
): string {
  const height = Math.max(...row.map((p) => p.rows));
  let out = `${'\n'.repeat(height)}\u001b[${height}A\r\u001b7`;
  for (const p of row) {
    const img = images[p.index]!;
    out += `\u001b8${p.col ? `\u001b[${p.col}C` : ''}`;
    // Never more pixels than the cells can show: 1× the cell size, which terminals scale as needed.
    const pixels = scaled(img.pixels, p.cols * cell.width, p.rows * cell.height);
    if (protocol === 'kitty') out += kittyImage(pixels, p.cols, p.rows, wrap);
    else if (protocol === 'iterm') out += itermImage(pixels, p.cols, p.rows, img.name, wrap);
    else out += (wrap ?? ((s: string) => s))(sixelImage(flatten(pixels)));
  }
  return `${out}\u001b8\u001b[${height}B\r`;
}
