/**
 * The gallery page: one HTML file that needs nothing else. Thumbnails are data: URIs, the
 * style is inline and allowed by its hash, and a Content-Security-Policy forbids scripts,
 * fonts and every other load, so the page behaves the same opened from disk, from a CI
 * artifact, or by someone who did not make it. Every piece of text (prompts are hostile
 * input) goes through escapeHtml.
 */
import { createHash } from 'node:crypto';
import type { GalleryItem } from './collect.js';

export interface Card {
  item: GalleryItem;
  /** data: URI of the thumbnail, with its size; undefined when there is no picture. */
  thumb?: { uri: string; width: number; height: number };
  /** The full image, relative to the page, URL-encoded. */
  href?: string;
  /** Its file name as shown. */
  name?: string;
  command: string;
}

export interface Group {
  title: string;
  cards: Card[];
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A relative path as an href: each segment percent-encoded, so `#`, `?`, `:` and spaces stay part of the path. */
export function hrefOf(relativePath: string): string {
  return relativePath
    .split(/[\\/]/)
    .map((s) => (s === '..' || s === '.' ? s : encodeURIComponent(s)))
    .join('/');
}

const STYLE = `
:root { color-scheme: light dark; --fg: #1b1b1f; --muted: #5f6368; --card: #fff; --bg: #f3f3f5; --line: #d9d9de; --bad: #b3261e; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e6ea; --muted: #a0a0aa; --card: #1f1f24; --bg: #141417; --line: #34343b; --bad: #f2b8b5; } }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 28px 0 10px; overflow-wrap: anywhere; }
header p, .note { color: var(--muted); margin: 0; }
.cards { display: flex; flex-wrap: wrap; gap: 14px; align-items: flex-start; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px; width: 300px; }
.card img { display: block; width: 100%; height: auto; border-radius: 4px; background: var(--line); }
.missing { display: grid; place-items: center; height: 120px; border-radius: 4px; background: var(--line); color: var(--muted); }
.name { display: block; margin: 6px 0 2px; font-weight: 600; overflow-wrap: anywhere; }
.prompt { margin: 4px 0; white-space: pre-wrap; overflow-wrap: anywhere; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0 10px; margin: 6px 0; font-size: 12px; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; font-variant-numeric: tabular-nums; }
code.cmd { display: block; font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--bg); border: 1px solid var(--line); border-radius: 4px; padding: 6px; white-space: pre-wrap; overflow-wrap: anywhere; user-select: all; -webkit-user-select: all; }
.error { color: var(--bad); overflow-wrap: anywhere; }
table.grid { border-collapse: separate; border-spacing: 10px; margin-left: -10px; }
table.grid th { font-weight: 600; color: var(--muted); text-align: left; vertical-align: top; font-size: 12px; max-width: 300px; overflow-wrap: anywhere; }
table.grid td { vertical-align: top; }
table.grid td .card + .card { margin-top: 10px; }
`;

const LABELS: [string, string][] = [
  ['aspect_ratio', 'aspect'],
  ['megapixels', 'megapixels'],
  ['num_outputs', 'outputs'],
  ['guidance', 'guidance'],
  ['num_inference_steps', 'steps'],
  ['output_format', 'format'],
  ['output_quality', 'quality'],
  ['prompt_strength', 'prompt strength'],
  ['image', 'input image'],
  ['go_fast', 'go fast'],
  ['disable_safety_checker', 'no safety checker'],
];
const SHOWN = new Set(['prompt', 'seed', ...LABELS.map(([k]) => k)]);

function value(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function cardHtml(c: Card): string {
  const i = c.item;
  const rows: [string, string][] = [];
  for (const [key, label] of LABELS) if (i.params[key] !== undefined) rows.push([label, value(i.params[key])]);
  for (const [key, v] of Object.entries(i.params)) if (!SHOWN.has(key)) rows.push([key, value(v)]);
  rows.push(['seed', i.seed === null ? '—' : String(i.seed)]);
  rows.push(['request id', i.requestId ?? '—']);
  if (i.cost !== undefined) rows.push(['cost', `${i.cost} credits`]);
  if (i.state && i.state !== 'done') rows.push(['state', i.state]);
  const picture =
    c.thumb && c.href
      ? `<a href="${c.href}"><img src="${c.thumb.uri}" width="${c.thumb.width}" height="${c.thumb.height}" alt="${escapeHtml(i.prompt || c.name || '')}"></a>`
      : `<div class="missing">${i.file ? 'cannot be shown' : i.state === 'failed' ? 'failed' : 'no image'}</div>`;
  return `<article class="card">
${picture}
${c.href && c.name ? `<a class="name" href="${c.href}">${escapeHtml(c.name)}</a>` : ''}
${i.prompt ? `<p class="prompt">${escapeHtml(i.prompt)}</p>` : '<p class="note">no record of how this image was made</p>'}
${i.error ? `<p class="error">${escapeHtml(i.error)}</p>` : ''}
<dl>${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>
${i.prompt ? `<code class="cmd">${escapeHtml(c.command)}</code>` : ''}
</article>`;
}

/**
 * The parameters that vary inside a group, when they make a grid: one or two of them (seed,
 * guidance, aspect, a matrix variable in the prompt...), each card placed by its values.
 */
export function gridAxes(cards: Card[]): string[] | undefined {
  if (cards.length < 2) return undefined;
  const keys = new Set(cards.flatMap((c) => Object.keys(c.item.params)));
  const varying = [...keys].filter((k) => new Set(cards.map((c) => value(c.item.params[k]))).size > 1);
  return varying.length >= 1 && varying.length <= 2 ? varying : undefined;
}

function axisValues(cards: Card[], key: string): string[] {
  const vals = [...new Set(cards.map((c) => value(c.item.params[key])))];
  const numeric = vals.every((v) => v !== '' && Number.isFinite(Number(v)));
  return numeric ? vals.sort((a, b) => Number(a) - Number(b)) : vals;
}

function groupHtml(g: Group): string {
  const axes = gridAxes(g.cards);
  let body: string;
  if (!axes) body = `<div class="cards">${g.cards.map(cardHtml).join('\n')}</div>`;
  else {
    const [rowKey, colKey] = axes.length === 2 ? axes : [undefined, axes[0]!];
    const cols = axisValues(g.cards, colKey!);
    const rows = rowKey ? axisValues(g.cards, rowKey) : [undefined];
    const head = `<tr>${rowKey ? `<th>${escapeHtml(rowKey)} \\ ${escapeHtml(colKey!)}</th>` : ''}${cols.map((c) => `<th>${escapeHtml(colKey!)} = ${escapeHtml(c)}</th>`).join('')}</tr>`;
    const lines = rows.map((r) => {
      const cells = cols.map((c) => {
        const inCell = g.cards.filter(
          (card) =>
            value(card.item.params[colKey!]) === c && (rowKey === undefined || value(card.item.params[rowKey]) === r),
        );
        return `<td>${inCell.map(cardHtml).join('\n')}</td>`;
      });
      return `<tr>${rowKey ? `<th>${escapeHtml(rowKey)} = ${escapeHtml(r!)}</th>` : ''}${cells.join('')}</tr>`;
    });
    body = `<table class="grid">${head}${lines.join('\n')}</table>`;
  }
  return `<section>\n<h2>${escapeHtml(g.title)}</h2>\n${body}\n</section>`;
}

export function renderGallery(groups: Group[], o: { title: string }): string {
  const style = STYLE.trim();
  const hash = createHash('sha256').update(style).digest('base64');
  const cards = groups.reduce((n, g) => n + g.cards.length, 0);
  const csp = `default-src 'none'; img-src data:; style-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="flux-krea">
<link rel="icon" href="data:,">
<title>${escapeHtml(o.title)}</title>
<style>${style}</style>
</head>
<body>
<header>
<h1>${escapeHtml(o.title)}</h1>
<p>${cards} image${cards === 1 ? '' : 's'} in ${groups.length} group${groups.length === 1 ? '' : 's'}. Click a picture for the full file; commands run from this page's folder.</p>
</header>
${groups.map(groupHtml).join('\n')}
</body>
</html>
`;
}
