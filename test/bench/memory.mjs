// Memory: peak RSS of the CLI process while it downloads big images. The emulator pads each
// image to the given size (valid container padding, produced lazily), and rss-probe.mjs, loaded
// into the CLI with --import, records the process's own peak RSS at exit.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, RSS_PROBE, emulatorEnv, fmtMB, median, removeDir, run, tempDir } from './lib.mjs';

export const LIMIT_BYTES = 120e6;
/** How much more a 200 MB download may take than a small one and still count as "flat". */
export const FLAT_BYTES = 16e6;

const CASES = [
  { name: 'one small image', n: 1, pad: 0 },
  { name: 'one 200 MB image', n: 1, pad: 200e6 },
  { name: 'four 20 MB images', n: 4, pad: 20e6 },
];

async function peakRss(emu, n, pad) {
  const dir = tempDir('memory');
  try {
    emu.configure({ imagePadBytes: pad });
    const rssFile = join(dir, 'rss');
    const r = await run(process.execPath, ['--import', RSS_PROBE, BIN, 'a bench raccoon', '-n', String(n), '-o', join(dir, 'out'), '-q'], {
      env: emulatorEnv(dir, emu, { FLUX_KREA_BENCH_RSS_FILE: rssFile }), cwd: dir, capture: true,
    });
    if (r.code !== 0) throw new Error(`the download run exited with ${r.code}: ${r.stderr}`);
    const files = r.stdout.trim().split('\n');
    if (files.length !== n) throw new Error(`expected ${n} files, got ${files.length}`);
    return Number(readFileSync(rssFile, 'utf8'));
  } finally {
    removeDir(dir);
  }
}

export async function memory(emu, { runs = 3 } = {}) {
  emu.configure({ progress: 'time', queuedMs: 0, processingMs: 0 });
  const peaks = CASES.map(() => []);
  for (let round = 0; round < runs; round++) {
    for (let i = 0; i < CASES.length; i++) peaks[i].push(await peakRss(emu, CASES[i].n, CASES[i].pad));
  }
  emu.configure({ imagePadBytes: 0 });
  const med = peaks.map(median);
  const rows = CASES.map((c, i) => ({
    case: `peak RSS, ${c.name}`,
    value: fmtMB(med[i]),
    ratio: '',
    target: i === 0 ? 'baseline' : `< ${fmtMB(LIMIT_BYTES)}`,
    result: i === 0 ? 'info' : med[i] < LIMIT_BYTES ? 'PASS' : 'FAIL',
  }));
  for (let i = 1; i < CASES.length; i++) {
    const growth = med[i] - med[0];
    rows.push({
      case: `  growth over the small image, ${CASES[i].name}`,
      value: `${growth < 0 ? '−' : '+'}${fmtMB(Math.abs(growth))}`,
      ratio: '',
      target: `< ${fmtMB(FLAT_BYTES)}`,
      result: growth < FLAT_BYTES ? 'PASS' : 'FAIL',
    });
  }
  return rows;
}
