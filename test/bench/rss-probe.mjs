// Loaded into the CLI with `node --import` by the memory case: at exit, writes the process's
// peak resident set size (getrusage's ru_maxrss, the same as VmHWM on Linux) in bytes to the
// file named by FLUX_KREA_BENCH_RSS_FILE. Portable, and it measures the CLI process alone.
import { writeFileSync } from 'node:fs';

const file = process.env.FLUX_KREA_BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    writeFileSync(file, String(process.resourceUsage().maxRSS * 1024));
  });
}
