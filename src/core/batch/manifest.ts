/**
 * Reading a batch manifest: JSON Lines (one object per line), a JSON array, or plain text (one
 * prompt per line). Only the shape is checked here, with the line of every element so that
 * later errors can point at it; the values are checked in entries.ts.
 *
 * The format follows the extension (.jsonl/.ndjson, .json, .txt) and otherwise the content:
 * a first character `[` is a JSON array, `{` JSON Lines, anything else plain text.
 */
import { extname } from 'node:path';

export type ManifestFormat = 'jsonl' | 'json' | 'text';

/** One element of the manifest: an object, or a bare string meaning `{ "prompt": ... }`. */
export interface RawEntry {
  line: number;
  value: unknown;
}

export interface Problem {
  line: number;
  /** The matrix cell (`animal=fox seed=1`) when the problem is one cell's. */
  cell?: string;
  field?: string;
  message: string;
}

export interface ParsedManifest {
  format: ManifestFormat;
  entries: RawEntry[];
  problems: Problem[];
}

export function detectFormat(path: string, text: string): ManifestFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.txt') return 'text';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  const first = text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l && !l.startsWith('#'))?.[0];
  if (first === '[') return 'json';
  if (first === '{' || ext === '.json') return 'jsonl';
  return 'text';
}

export function parseManifest(path: string, raw: string): ParsedManifest {
  // A byte-order mark from Windows editors is not part of the first prompt.
  const text = raw.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const format = detectFormat(path, text);
  switch (format) {
    case 'text':
      return { format, ...parseText(text) };
    case 'jsonl':
      return { format, ...parseJsonLines(text) };
    case 'json':
      return { format, ...parseJsonArray(text) };
  }
}

/** Blank lines and `#` comments are skipped in text and JSON Lines alike. */
const skipped = (line: string) => !line.trim() || line.trim().startsWith('#');

function parseText(text: string): Omit<ParsedManifest, 'format'> {
  const entries: RawEntry[] = [];
  text.split('\n').forEach((l, i) => {
    if (!skipped(l)) entries.push({ line: i + 1, value: l.trim() });
  });
  return { entries, problems: [] };
}

function parseJsonLines(text: string): Omit<ParsedManifest, 'format'> {
  const entries: RawEntry[] = [];
  const problems: Problem[] = [];
  text.split('\n').forEach((l, i) => {
    if (skipped(l)) return;
    try {
      entries.push({ line: i + 1, value: JSON.parse(l) });
    } catch (e) {
      problems.push({ line: i + 1, message: `not valid JSON (${jsonMessage(e)})` });
    }
  });
  return { entries, problems };
}

function parseJsonArray(text: string): Omit<ParsedManifest, 'format'> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { entries: [], problems: [{ line: errorLine(text, e), message: `not valid JSON (${jsonMessage(e)})` }] };
  }
  if (!Array.isArray(value))
    return { entries: [], problems: [{ line: 1, message: 'a JSON manifest must be an array of entries' }] };
  const lines = linesAt(text, elementOffsets(text));
  return { entries: value.map((v, i) => ({ line: lines[i] ?? 1, value: v })), problems: [] };
}

/**
 * The line of a JSON syntax error. V8 gives a position only for some errors, so otherwise
 * each top-level element is parsed alone: the first that fails is where the error is.
 */
function errorLine(text: string, e: unknown): number {
  const pos = /position (\d+)/.exec((e as Error).message);
  if (pos) return lineAt(text, Number(pos[1]));
  const starts = elementOffsets(text);
  for (const [i, start] of starts.entries()) {
    const end = starts[i + 1] ?? text.lastIndexOf(']');
    const slice = text
      .slice(start, end > start ? end : undefined)
      .trim()
      .replace(/,$/, '');
    try {
      JSON.parse(slice);
    } catch {
      return lineAt(text, start);
    }
  }
  return 1;
}

function jsonMessage(e: unknown): string {
  return (e as Error).message.replace(/\s+/g, ' ').slice(0, 120);
}

function lineAt(text: string, offset: number): number {
  return linesAt(text, [offset])[0]!;
}

/**
 * The lines of ascending offsets, in one pass over the text: counting from the start for each
 * element made a JSON-array manifest quadratic (10,000 entries: 84 s, issue 12).
 */
function linesAt(text: string, offsets: number[]): number[] {
  const lines: number[] = [];
  let line = 1;
  let i = 0;
  for (const offset of offsets) {
    const end = Math.min(offset, text.length);
    for (; i < end; i++) if (text.charCodeAt(i) === 10) line++;
    lines.push(line);
  }
  return lines;
}

/** Offsets where each element of the top-level array starts (the text is known to be valid JSON). */
export function elementOffsets(text: string): number[] {
  const starts: number[] = [];
  let depth = 0;
  let inString = false;
  let expectElement = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === ' ' || c === '\n' || c === '\t' || c === '\r') continue; // JSON's whitespace
    if (depth === 1 && expectElement && c !== ']') {
      starts.push(i);
      expectElement = false;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      depth++;
      if (depth === 1) expectElement = true;
    } else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1) expectElement = true;
  }
  return starts;
}
