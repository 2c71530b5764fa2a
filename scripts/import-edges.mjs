#!/usr/bin/env node
/**
 * Prints the import edges between the top-level layers of src/ (cli, commands, core, api,
 * output, store, params, util), with a count, and marks those that point against
 * cli → commands → core → api / output / store → params: AGAINST (upward), PEER (between
 * api, output and store). Type-only imports are listed with (type): they tie the layers
 * together at compile time only. src/index.ts and library*.ts, the library's entry, sit on top beside cli.
 * Usage: node scripts/import-edges.mjs [--against] [--files]
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve(import.meta.dirname, '..', 'src');
// Lower number = higher layer. Peers share a rank; util and the root files are leaves.
const RANK = {
  'index.ts': 0,
  'library.ts': 0,
  'library-types.ts': 0,
  cli: 0,
  commands: 1,
  core: 2,
  api: 3,
  output: 3,
  store: 3,
  params: 4,
  util: 5,
  vendor: 5,
  types: 5,
  '(root)': 5,
};

function files(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}
const layerOf = (file) => {
  const first = relative(SRC, file).split('/')[0];
  if (first in RANK) return first;
  return first.endsWith('.ts') ? '(root)' : first;
};

const edges = new Map();
for (const file of files(SRC)) {
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(
    /(import\s+type\b[^;]*?from|export\s+type\b[^;]*?from|from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g,
  )) {
    const typeOnly = /^(import|export)\s+type/.test(m[1]);
    const target = resolve(dirname(file), m[2]).replace(/\.js$/, '.ts');
    const [a, b] = [layerOf(file), layerOf(target)];
    if (a === b) continue;
    const key = `${a} -> ${b}`;
    const e = edges.get(key) ?? { a, b, files: new Set() };
    e.files.add(`${relative(SRC, file)} -> ${relative(SRC, target)}${typeOnly ? ' (type)' : ''}`);
    edges.set(key, e);
  }
}
const against = process.argv.includes('--against');
for (const [key, e] of [...edges].sort()) {
  const [ra, rb] = [RANK[e.a] ?? 9, RANK[e.b] ?? 9];
  const mark = ra > rb ? 'AGAINST ' : ra === rb && ra > 0 && ra < 5 ? 'PEER    ' : '';
  const bad = mark !== '';
  if (against && !bad) continue;
  console.log(`${mark || '        '}${key.padEnd(22)} ${e.files.size}`);
  if (bad || process.argv.includes('--files')) for (const f of [...e.files].sort()) console.log(`           ${f}`);
}
