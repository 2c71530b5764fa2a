/**
 * Where images go on the terminal: each fitted to the width and a sensible height, several side
 * by side when they fit, in rows. Sizes are in cells; a cell is about twice as tall as wide
 * (or what the terminal reported), so an image of w×h pixels over r rows takes r·(cellH/cellW)·w/h columns.
 */
export interface Placement {
  index: number;
  /** First column (0-based) and size in cells. */
  col: number;
  cols: number;
  rows: number;
}

export interface LayoutOptions {
  columns: number;
  /** The terminal's height; the images take at most about 60% of it. */
  rows?: number;
  /** Cell height / cell width. */
  cellAspect?: number;
  gap?: number;
}

export const GAP = 2;

/** The tallest an image is drawn: 60% of the terminal, between 8 and 30 rows. */
export function maxImageRows(termRows: number | undefined): number {
  return Math.max(8, Math.min(30, Math.floor((termRows ?? 24) * 0.6)));
}

/**
 * One height for all images, chosen so that as many as possible sit in one row while staying
 * readable (at least 10 rows tall, or the maximum when that is lower); then greedy rows.
 */
export function layout(sizes: readonly { width: number; height: number }[], o: LayoutOptions): Placement[][] {
  const aspect = o.cellAspect ?? 2;
  const gap = o.gap ?? GAP;
  const maxRows = maxImageRows(o.rows);
  const columns = Math.max(1, o.columns);
  const widest = Math.max(...sizes.map((s) => s.width / s.height));
  // Rows an image of the widest shape may take when `k` share the width.
  const rowsFor = (k: number) =>
    Math.min(maxRows, Math.max(1, Math.floor(Math.floor((columns - gap * (k - 1)) / k) / (widest * aspect))));
  const readable = Math.min(maxRows, 10);
  let height = rowsFor(1);
  for (let k = sizes.length; k > 1; k--) {
    if (rowsFor(k) >= readable) {
      height = rowsFor(k);
      break;
    }
  }
  const rows: Placement[][] = [];
  let current: Placement[] = [];
  let used = 0;
  sizes.forEach((s, index) => {
    let r = height;
    let c = Math.max(1, Math.round((r * aspect * s.width) / s.height));
    if (c > columns) {
      c = columns;
      r = Math.max(1, Math.round((c * s.height) / (s.width * aspect)));
    }
    if (current.length && used + gap + c > columns) {
      rows.push(current);
      current = [];
      used = 0;
    }
    const col = current.length ? used + gap : 0;
    current.push({ index, col, cols: c, rows: r });
    used = col + c;
  });
  if (current.length) rows.push(current);
  return rows;
}

/** A label of exactly `width` characters: the name, shortened in the middle with … when too long. */
export function label(name: string, width: number): string {
  const chars = [...name];
  if (chars.length <= width) return name + ' '.repeat(width - chars.length);
  if (width <= 1) return '…'.slice(0, width);
  const head = Math.ceil((width - 1) / 2);
  const tail = width - 1 - head;
  return `${chars.slice(0, head).join('')}…${tail ? chars.slice(-tail).join('') : ''}`;
}
