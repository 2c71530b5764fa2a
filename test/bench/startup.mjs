// Start-up: `flux-krea --version`, `--help` and a `--dry-run` against bare `node -e 0`.
// The commands are interleaved round by round, so that a slow moment of the machine hits
// every command alike, and each command's median is compared with the floor's.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, cliEnv, fmtMs, median, removeDir, run, tempDir } from './lib.mjs';

export const STARTUP_CASES = [
  { name: 'node -e 0 (floor)', args: ['-e', '0'] },
  { name: 'flux-krea --version', args: [BIN, '--version'], target: 1.25 },
  { name: 'flux-krea --help', args: [BIN, '--help'], target: 1.5 },
  { name: 'flux-krea "…" --dry-run', args: [BIN, 'a lighthouse at dusk, oil on canvas', '--dry-run'], target: 1.6 },
];

/**
 * `bare`: run every command, the floor included, with PATH alone in the environment.
 */
export async function startup({ runs = 20, bare = false } = {}) {
  const dir = tempDir('startup');
  try {
    const env = cliEnv(dir, {}, { bare });
    // A saved default, so that the dry run reads the user config as a real user's would.
    mkdirSync(env.FLUX_KREA_CONFIG_DIR, { recursive: true });
    writeFileSync(join(env.FLUX_KREA_CONFIG_DIR, 'config.json'), `${JSON.stringify({ defaults: { format: 'png' } }, null, '\t')}\n`);
    const times = STARTUP_CASES.map(() => []);
    // One untimed round warms the file cache.
    for (let round = -1; round < runs; round++) {
      for (let k = 0; k < STARTUP_CASES.length; k++) {
        // Rotate the order each round so that no command always runs right after another.
        const i = (k + Math.max(round, 0)) % STARTUP_CASES.length;
        const c = STARTUP_CASES[i];
        const r = await run(process.execPath, c.args, { env, cwd: dir });
        if (r.code !== 0) throw new Error(`${c.name} exited with ${r.code}`);
        if (round >= 0) times[i].push(r.ms);
      }
    }
    const floor = median(times[0]);
    return STARTUP_CASES.map((c, i) => {
      const m = median(times[i]);
      if (!c.target) return { case: c.name, value: fmtMs(m), ratio: '1.00×', target: 'baseline', result: 'info' };
      const ratio = m / floor;
      const ok = ratio <= c.target;
      return { case: c.name, value: fmtMs(m), ratio: `${ratio.toFixed(2)}×`, target: `≤ ${c.target.toFixed(2)}×`, result: ok ? 'PASS' : 'FAIL' };
    });
  } finally {
    removeDir(dir);
  }
}
