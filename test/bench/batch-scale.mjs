// Batch scaling (issue 10 item 6): batches of 100, 1,000 and 5,000 instant entries (each job
// is COMPLETED at its first poll, 0.25 MP PNG), and per batch the CLI's own CPU time per entry
// and the bytes it wrote. A client with linear costs keeps CPU per entry flat, and writes
// within a small multiple of what it leaves on disk (the lock and the images).
//
// The CLI runs with scale-probe.mjs loaded (`node --import`), which reports its CPU time and
// the bytes it passed to write(2) (`wchar` of /proc/self/io, Linux) at exit: the emulator runs
// in this process and is not counted.
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, emulatorEnv, fmtMB, removeDir, run, tempDir } from './lib.mjs';

export const SIZES = [100, 1000, 5000];
const PROBE = join(import.meta.dirname, 'scale-probe.mjs');
/** CPU per entry at 5,000 entries may be at most this many times that at 100 (flat, give or take noise). */
const CPU_GROWTH = 2;
/** Bytes written may be at most this many times the lock and images left on disk. */
const BYTES_MULTIPLE = 3;

function dirBytes(dir) {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true }))
    n += e.isDirectory() ? dirBytes(join(dir, e.name)) : statSync(join(dir, e.name)).size;
  return n;
}

/** An unchanged rerun of the largest batch must end within this (issue 18: 5,000 entries < 2 s). */
const RERUN_MS = 2000;

async function oneBatch(emu, entries, { rerun = false } = {}) {
  const dir = tempDir(`scale-${entries}`);
  try {
    const manifest = join(dir, 'prompts.txt');
    writeFileSync(
      manifest,
      Array.from({ length: entries }, (_, k) => `scale prompt number ${k + 1}, a small red fox`).join('\n') + '\n',
    );
    const probeFile = join(dir, 'probe.json');
    const out = join(dir, 'out');
    const once = async () => {
      const r = await run(
        process.execPath,
        [
          '--import',
          PROBE,
          BIN,
          'batch',
          manifest,
          '--concurrency',
          '8',
          '--rpm',
          '0',
          '-n',
          '1',
          '-m',
          '0.25',
          '-a',
          '1:1',
          '-f',
          'png',
          '--interval',
          '0.01',
          '-o',
          out,
          '-q',
        ],
        {
          env: emulatorEnv(dir, emu, { FLUX_KREA_BENCH_PROBE_FILE: probeFile }),
          cwd: dir,
          capture: true,
        },
      );
      if (r.code !== 0) throw new Error(`the batch of ${entries} exited with ${r.code}: ${r.stderr.slice(0, 2000)}`);
      return { ...r, probe: JSON.parse(readFileSync(probeFile, 'utf8')) };
    };
    const r = await once();
    const lock = statSync(`${manifest}.lock.json`).size;
    const images = dirBytes(out);
    const result = {
      entries,
      wallMs: r.ms,
      cpuMs: r.probe.cpuMs,
      written: r.probe.written,
      kept: lock + images,
      images,
      lock,
    };
    if (rerun) {
      // The same command again: every entry is done and intact, so nothing is sent.
      const submits = emu.submits();
      const again = await once();
      if (emu.submits() !== submits) throw new Error('the unchanged rerun submitted jobs');
      result.rerun = { wallMs: again.ms, cpuMs: again.probe.cpuMs, read: again.probe.read };
    }
    return result;
  } finally {
    removeDir(dir);
  }
}

export async function batchScale(emu, { sizes = SIZES } = {}) {
  emu.configure({ progress: 'polls', queuedPolls: 0, processingPolls: 0, imagePadBytes: 0, credits: 1e9 });
  const results = [];
  for (const n of sizes) results.push(await oneBatch(emu, n, { rerun: n === sizes.at(-1) }));
  const base = results[0].cpuMs / results[0].entries;
  const largest = results.at(-1);
  const rerunRows = [
    {
      case: `unchanged rerun of the ${largest.entries.toLocaleString('en')}-entry batch (wall)`,
      value: `${(largest.rerun.wallMs / 1000).toFixed(2)} s`,
      ratio: `CPU ${(largest.rerun.cpuMs / 1000).toFixed(2)} s`,
      target: `< ${RERUN_MS / 1000} s`,
      result: largest.rerun.wallMs < RERUN_MS ? 'PASS' : 'FAIL',
    },
    {
      // Everything the rerun read (the lock, the manifest, its own code) against the images it skipped.
      case: '  bytes read by the rerun',
      value: largest.rerun.read === undefined ? '—' : fmtMB(largest.rerun.read),
      ratio:
        largest.rerun.read === undefined
          ? ''
          : `${(largest.rerun.read / largest.images).toFixed(3)}× of ${fmtMB(largest.images)} of images`,
      target: '< 0.1× of the images',
      result:
        largest.rerun.read === undefined
          ? 'SKIP (no /proc/self/io)'
          : largest.rerun.read < 0.1 * largest.images
            ? 'PASS'
            : 'FAIL',
    },
  ];
  return [
    ...results.flatMap((x) => {
      const perEntry = x.cpuMs / x.entries;
      const growth = perEntry / base;
      const multiple = x.written === undefined ? undefined : x.written / x.kept;
      return [
        {
          case: `batch of ${x.entries.toLocaleString('en')} instant entries: client CPU per entry`,
          value: `${perEntry.toFixed(2)} ms`,
          ratio: `${growth.toFixed(2)}× of ${results[0].entries}`,
          target: x === results[0] ? '' : `≤ ${CPU_GROWTH}× of ${results[0].entries}`,
          result: x === results[0] ? '' : growth <= CPU_GROWTH ? 'PASS' : 'FAIL',
        },
        {
          // What was written beyond the images (the lock and its log, stderr) against the lock.
          case: `  lock bytes written, wall ${(x.wallMs / 1000).toFixed(1)} s`,
          value: x.written === undefined ? '—' : fmtMB(x.written - x.images),
          ratio:
            x.written === undefined ? '' : `${((x.written - x.images) / x.lock).toFixed(2)}× of ${fmtMB(x.lock)} lock`,
          target: '',
          result: '',
        },
        {
          case: '  all bytes written',
          value: x.written === undefined ? '—' : fmtMB(x.written),
          ratio: multiple === undefined ? '' : `${multiple.toFixed(2)}× of ${fmtMB(x.kept)} kept`,
          target: `≤ ${BYTES_MULTIPLE}× kept`,
          result: multiple === undefined ? 'SKIP (no /proc/self/io)' : multiple <= BYTES_MULTIPLE ? 'PASS' : 'FAIL',
        },
      ];
    }),
    ...rerunRows,
  ];
}
