#!/usr/bin/env node
// `npm run bench`: builds first (in the npm script), then measures start-up, client overhead,
// batch throughput and memory on this machine, prints a table with each row's target and
// verdict, and writes it with the machine and the date to BENCHMARKS.md.
//
//   node test/bench/run.mjs [--only startup,footprint,client,batch,scale,memory,polling,jobs] [--no-write]
//                           [--node <path to another Node binary>]...
//
// Each --node adds a start-up section run with that Node (e.g. 22 and 24, which users run and
// which have Node's compile cache; .ci/run shows how to get them from the npm registry).
//
// Exit code: 0 when every row with a target passes (or is skipped), 1 otherwise.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { NODE_VARS, ROOT, startEmulator } from './lib.mjs';
import { installFootprint, startup } from './startup.mjs';
import { clientOverhead } from './client.mjs';
import { batchThroughput } from './batch.mjs';
import { batchScale } from './batch-scale.mjs';
import { memory } from './memory.mjs';
import { polling } from './polling.mjs';
import { jobsAtScale } from './jobs.mjs';
import { renderTable, writeReport } from './report.mjs';

const ALL = ['startup', 'footprint', 'client', 'batch', 'scale', 'memory', 'polling', 'jobs'];
const { values } = parseArgs({
  options: { only: { type: 'string' }, 'no-write': { type: 'boolean' }, node: { type: 'string', multiple: true } },
});
const only = values.only ? values.only.split(',') : ALL;
for (const name of only) if (!ALL.includes(name)) throw new Error(`--only: unknown case "${name}" (${ALL.join(', ')})`);

if (!existsSync(join(ROOT, 'dist', 'cli.js')) || !existsSync(join(ROOT, 'dist', 'emulator', 'serve.js'))) {
  console.error('bench: dist/ is missing; run `npm run bench` (it builds first) or `npm run build`.');
  process.exit(2);
}

const sections = [];
const section = async (title, name, fn) => {
  if (!only.includes(name)) return;
  process.stderr.write(`bench: ${title}…\n`);
  sections.push({ title, rows: await fn() });
};

await section('Start-up (median of 20 interleaved runs)', 'startup', () => startup());
if (NODE_VARS.length) {
  // Such variables raise the floor and every command alike, which flatters the ratios: the
  // rows are judged again as a machine without them sees them.
  await section(`Start-up without ${NODE_VARS.join(', ')} (PATH only)`, 'startup', () => startup({ bare: true }));
}
for (const node of values.node ?? []) {
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  await section(`Start-up on Node ${version} (PATH only, median of 20 interleaved runs)`, 'startup', () =>
    startup({ bare: true, node }),
  );
}
await section('Install footprint (npm pack, then npm install -g of the tarball)', 'footprint', () =>
  installFootprint(),
);
const needsEmulator = only.some((n) => !['startup', 'footprint', 'polling', 'jobs'].includes(n));
const emu = needsEmulator ? await startEmulator(['--progress', 'time']) : undefined;
try {
  await section('Client overhead (median of 7 interleaved rounds, --interval 1)', 'client', () => clientOverhead(emu));
  await section('Batch throughput (median of 3 batches)', 'batch', () => batchThroughput(emu));
  await section(
    'Batch scaling (one batch each of 100, 1,000 and 5,000 instant entries, then the 5,000 again unchanged)',
    'scale',
    () => batchScale(emu),
  );
  await section('Memory (median of 5 runs each, all at once, jobs that end at once)', 'memory', () => memory(emu));
  await section('Time to image (median of 3 runs each, all at once; real job times)', 'polling', () => polling());
} finally {
  await emu?.close();
}
await section('The job journal at scale (median of 7 interleaved rounds, CPU time)', 'jobs', () => jobsAtScale());

process.stdout.write(`${renderTable(sections)}\n`);
if (!values['no-write'] && only.length === ALL.length) {
  const path = writeReport(sections);
  process.stderr.write(`bench: wrote ${path}\n`);
}
const failed = sections.flatMap((s) => s.rows).filter((r) => r.result === 'FAIL');
process.exitCode = failed.length ? 1 : 0;
