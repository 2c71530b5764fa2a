// Batch throughput: 100 entries, a 500 ms job each, 8 at a time, against the ideal
// ceil(100 / 8) × 0.5 s that a client with no overhead at all would reach.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, cliEnv, emulatorEnv, median, removeDir, run, tempDir } from './lib.mjs';

export const ENTRIES = 100;
export const CONCURRENCY = 8;
export const JOB_MS = 500;
export const IDEAL_MS = Math.ceil(ENTRIES / CONCURRENCY) * JOB_MS;
const TOLERANCE = 0.15;

const NAME = `batch, ${ENTRIES} entries × ${JOB_MS} ms, concurrency ${CONCURRENCY}`;

/**
 * `flux-krea batch` may not be built yet: then the row says so instead of failing. (Without
 * the command, `batch` is a prompt and --help shows the root's help, also with exit 0.)
 */
export async function batchAvailable() {
  const dir = tempDir('batch-help');
  try {
    const r = await run(process.execPath, [BIN, 'batch', '--help'], { env: cliEnv(dir), cwd: dir, capture: true });
    return r.code === 0 && r.stdout.startsWith('Usage: flux-krea batch');
  } finally {
    removeDir(dir);
  }
}

export async function batchThroughput(emu, { runs = 3 } = {}) {
  if (!(await batchAvailable())) {
    return [
      {
        case: NAME,
        value: '—',
        ratio: '',
        target: `≤ ${(1 + TOLERANCE).toFixed(2)}× ideal`,
        result: 'SKIP (batch not built)',
      },
    ];
  }
  emu.configure({ progress: 'time', queuedMs: 100, processingMs: JOB_MS - 100, imagePadBytes: 0, credits: 1e6 });
  const walls = [];
  for (let i = 0; i < runs; i++) {
    const dir = tempDir('batch');
    try {
      const manifest = join(dir, 'prompts.txt');
      writeFileSync(
        manifest,
        Array.from({ length: ENTRIES }, (_, k) => `bench prompt number ${k + 1}, a small red fox`).join('\n') + '\n',
      );
      const r = await run(
        process.execPath,
        [BIN, 'batch', manifest, '--concurrency', String(CONCURRENCY), '-n', '1', '-o', join(dir, 'out'), '-q'],
        {
          env: emulatorEnv(dir, emu),
          cwd: dir,
          capture: true,
        },
      );
      if (r.code !== 0) throw new Error(`the batch exited with ${r.code}: ${r.stderr.slice(0, 2000)}`);
      walls.push(r.ms);
    } finally {
      removeDir(dir);
    }
  }
  const wall = median(walls);
  const ratio = wall / IDEAL_MS;
  return [
    {
      case: NAME,
      value: `${(wall / 1000).toFixed(2)} s`,
      ratio: `${ratio.toFixed(2)}× of ${(IDEAL_MS / 1000).toFixed(1)} s`,
      target: `≤ ${(1 + TOLERANCE).toFixed(2)}× ideal`,
      result: ratio <= 1 + TOLERANCE ? 'PASS' : 'FAIL',
    },
  ];
}
