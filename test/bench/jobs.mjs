// The job journal at scale (issue 18): 100,000 jobs recorded through the journal itself (as
// many runs and batches would), then `flux-krea jobs` timed against the same command on an
// empty journal, in interleaved rounds, by CPU time (scale-probe.mjs). The journal bounds
// itself as it is written, so the 100,000th job costs `jobs` no more than the 500th.
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { BIN, ROOT, cliEnv, fmtMB, fmtMs, median, removeDir, run, tempDir } from './lib.mjs';

const JOBS = 100_000;
const ROUNDS = 7;
const MAX_RATIO = 2;
const PROBE = join(import.meta.dirname, 'scale-probe.mjs');

/** src/store/journal.ts as a module of its own (it is not exported by the package). */
async function loadJournal(dir) {
  const outfile = join(dir, 'journal.mjs');
  await build({
    entryPoints: [join(ROOT, 'src/store/journal.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile,
    logLevel: 'warning',
  });
  return (await import(pathToFileURL(outfile).href)).Journal;
}

async function cpuOfJobs(dir, stateDir) {
  const probeFile = join(dir, `probe-${Math.random()}.json`);
  const r = await run(process.execPath, ['--import', PROBE, BIN, 'jobs'], {
    env: cliEnv(dir, { FLUX_KREA_STATE_DIR: stateDir, FLUX_KREA_BENCH_PROBE_FILE: probeFile }),
    cwd: dir,
  });
  if (r.code !== 0) throw new Error(`jobs exited with ${r.code}`);
  return JSON.parse(readFileSync(probeFile, 'utf8')).cpuMs;
}

export async function jobsAtScale() {
  const dir = tempDir('jobs');
  try {
    const Journal = await loadJournal(dir);
    const full = join(dir, 'full');
    const empty = join(dir, 'empty');
    mkdirSync(empty, { recursive: true });
    const journal = new Journal(full);
    const started = Date.now();
    for (let i = 0; i < JOBS; i++) {
      const id = `bench${String(i).padStart(28, '0')}`;
      const createdAt = new Date(started - (JOBS - i) * 1000).toISOString();
      await journal.record({
        id,
        createdAt,
        state: 'saved',
        mode: 'async',
        prompt: `bench prompt number ${i}, a small red fox`,
        outDir: '/tmp/out',
        files: [`/tmp/out/${id}.png`],
        runMs: 24_000,
      });
    }
    const size = statSync(join(full, 'jobs.jsonl')).size;
    const cpu = { empty: [], full: [] };
    for (let round = 0; round < ROUNDS; round++) {
      cpu.empty.push(await cpuOfJobs(dir, empty));
      cpu.full.push(await cpuOfJobs(dir, full));
    }
    const base = median(cpu.empty);
    const at = median(cpu.full);
    return [
      {
        case: 'flux-krea jobs, empty journal (CPU)',
        value: fmtMs(base),
        ratio: '1.00×',
        target: 'baseline',
        result: 'info',
      },
      {
        case: `flux-krea jobs after ${JOBS.toLocaleString('en')} recorded jobs (CPU)`,
        value: fmtMs(at),
        ratio: `${(at / base).toFixed(2)}×`,
        target: `≤ ${MAX_RATIO}×`,
        result: at / base <= MAX_RATIO ? 'PASS' : 'FAIL',
      },
      {
        case: '  journal size on disk',
        value: fmtMB(size),
        ratio: `${Math.round(size / JOBS)} B per recorded job`,
        target: '',
        result: 'info',
      },
    ];
  } finally {
    removeDir(dir);
  }
}
