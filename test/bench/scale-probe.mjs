// Loaded into the CLI with `node --import` by the batch-scale case: at exit, writes the
// process's CPU time (user + system) and the bytes it passed to write(2) (`wchar` of
// /proc/self/io) and read from files and pipes (`rchar`; both absent where there is no such file) as JSON to FLUX_KREA_BENCH_PROBE_FILE.
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.env.FLUX_KREA_BENCH_PROBE_FILE;
if (file) {
  process.on('exit', () => {
    const cpu = process.cpuUsage();
    let written;
    let read;
    try {
      const io = readFileSync('/proc/self/io', 'utf8');
      written = Number(/^wchar: (\d+)$/m.exec(io)?.[1]);
      read = Number(/^rchar: (\d+)$/m.exec(io)?.[1]);
    } catch {
      /* not Linux */
    }
    writeFileSync(file, JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, written, read }));
  });
}
