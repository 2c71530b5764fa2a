// The table on the terminal and BENCHMARKS.md.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem, release, platform } from 'node:os';
import { join } from 'node:path';
import { NODE_VARS, ROOT } from './lib.mjs';

const COLUMNS = [['case', 'case'], ['value', 'median'], ['ratio', 'ratio'], ['target', 'target'], ['result', 'result']];

export function renderTable(sections) {
  const rows = sections.flatMap((s) => [{ title: s.title }, ...s.rows]);
  const width = COLUMNS.map(([k, h]) => Math.max(h.length, ...rows.filter((r) => !r.title).map((r) => String(r[k]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(width[i])).join('  ').trimEnd();
  const out = [line(COLUMNS.map(([, h]) => h)), line(width.map((w) => '-'.repeat(w)))];
  for (const r of rows) out.push(r.title ? `\n${r.title}` : line(COLUMNS.map(([k]) => r[k])));
  return out.join('\n');
}

function markdownTable(rows) {
  const esc = (s) => String(s).replace(/\|/g, '\\|').replace(/^ +/, (m) => '\u00a0'.repeat(m.length * 2));
  return [
    `| ${COLUMNS.map(([, h]) => h).join(' | ')} |`,
    `|${COLUMNS.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${COLUMNS.map(([k]) => esc(r[k]) || ' ').join(' | ')} |`),
  ].join('\n');
}

export function machine() {
  const cpu = cpus();
  let commit = '';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch { /* not a git checkout */ }
  return {
    cpu: cpu[0]?.model?.trim() ?? 'unknown',
    cores: cpu.length,
    memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
    os: `${platform()} ${release()}`,
    node: process.version,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    commit,
  };
}

export function writeReport(sections) {
  const m = machine();
  const text = `# Benchmarks

Written by \`npm run bench\` (test/bench/run.mjs): rerun it to measure your own machine. Every
ratio compares medians measured in the same run.

- **Machine:** ${m.cpu}, ${m.cores} cores, ${m.memory} RAM, ${m.os}
- **Node:** ${m.node}
- **Date:** ${m.date}${m.commit ? `\n- **Commit:** ${m.commit} (plus any uncommitted changes)` : ''}
- **Environment:** ${NODE_VARS.length ? `${NODE_VARS.join(', ')} set, which Node honours at every start, the floor's included` : 'no NODE_ variables set'}

${sections.map((s) => `## ${s.title}\n\n${markdownTable(s.rows)}`).join('\n\n')}

## How each row is measured

**Start-up.** \`node bin/flux-krea.js --version\`, \`--help\`, and \`"<prompt>" --dry-run\` (with a
temp \`FLUX_KREA_CONFIG_DIR\` holding a saved default, so the user config is read), each
against bare \`node -e 0\` as the floor, and against other Node CLIs run in the same rounds:
npm (the one on PATH), tsc, prettier and eslint (devDependencies), each with \`--version\`,
its lightest command, which flatters them. Wall time from spawn to exit, output to /dev/null;
one warm-up round, then 20 rounds in which the commands run in rotating order, so that
machine noise falls on all of them alike. The ratio is median ÷ the floor's median, and for
\`--help\` and the dry run also ÷ the fastest peer's median.
Every command runs in the environment of the benchmark, as a user here runs it, less
flux-krea's own variables (\`SEGMIND_*\`, \`FLUX_KREA_*\`: no real key or config leaks in).
Variables such as \`NODE_EXTRA_CA_CERTS\` (Node reads that CA bundle at every start, about
30 ms) raise the floor and every command alike, which flatters the ratios; when any
\`NODE_*\` variable is set, the start-up rows are measured again with PATH alone, and judged
by the same targets.

What keeps the start cheap, with nothing but esbuild and Node: bin/flux-krea.js is a
CommonJS shim (an ES module entry costs Node 20 about 4 ms more) that answers a bare
\`--version\` itself, turns on Node's own compile cache where it exists (Node 22.1+,
\`module.enableCompileCache()\`, as npm does) and imports dist/cli.js. The build is one
esbuild call with code splitting: command bodies, undici, conf, ora and chalk are chunks
loaded by \`import()\` on the paths that use them (one unsplit bundle cost 16-24 ms more CPU per
start; static chalk, ora and conf imports cost a dry run about 5, 25 and 20 ms).

**Install footprint.** \`npm pack\`, then \`npm install -g --prefix <tmp>\` of the tarball: the
packages (folders with a package.json under a node_modules) and the bytes of the files
installed. The runtime packages are bundled into dist/ and are devDependencies, so nothing is
installed twice; source maps keep their mappings but not the sources' text.

**Client overhead.** The emulator (dist/emulator/serve.js, in the benchmark's process) in
\`time\` mode: a job stays QUEUED 500 ms and PROCESSING 1000 ms, so it completes 1500 ms after
it was created. A default generation (\`--interval 1\`, two 1 MP JPEGs) with \`--json\` and a
fixed prompt and seed: an untimed first run fills the emulator's image cache, so that the
timed runs do not wait for its JavaScript JPEG encoder (Segmind serves finished files). From
the emulator's clock and request log: *notice lag* is the time from completion to the status
poll that saw it; *wall − time completion was noticed* is from that poll to the CLI's exit
(fetching the result, downloading, writing, exiting); *client overhead* is wall − job time −
notice lag, that is start-up, submit and that tail: everything that is not waiting for the
server.

The polling schedule (src/api/retry-policy.ts \`pollDelay\`, used by \`SegmindClient.wait\`):
the first poll 250 ms after submitting, the next 500 ms later, then one every \`--interval\`
(default 1 s): the delay before poll *n* is \`min(interval, 250 ms · 2ⁿ)\`. A fast job is seen
quickly, and a long one costs one request per interval. The notice lag is what that schedule
costs: on average half an interval for a long job, and here the 1500 ms job is seen by the
poll at about 1750 ms.

**Batch throughput.** \`flux-krea batch <100-line prompts.txt> --concurrency 8 -n 1\` against
the emulator with a 500 ms job (100 ms QUEUED, 400 ms PROCESSING), compared with the ideal
\`ceil(100 / 8) × 0.5 s\` = 6.5 s of a client that adds nothing. A batch polls on its own
schedule (src/core/batch/poll-schedule.ts): it learns the typical job time from the jobs that
finished and polls each new job closely around that time, never later than the schedule
above. The row is skipped when \`flux-krea batch --help\` does not show the batch command's
help (batch not built).

**Batch scaling.** \`flux-krea batch\` over 100, 1,000 and 5,000 prompts (\`--concurrency 8
--rpm 0 -n 1 -m 0.25 -f png\`) against the emulator in \`polls\` mode with jobs COMPLETED at
their first poll, so the client's own costs are all there is. test/bench/scale-probe.mjs,
loaded into the CLI with \`node --import\`, reports at exit its CPU time (user + system) and
the bytes it passed to write(2) (\`wchar\` of /proc/self/io). CPU per entry must stay flat
(at most 2× that of 100 entries; it falls, as the start-up is shared by more entries); *lock
bytes written* is everything but the images (the lock, its append-only log, the job journal)
against the final lock; *all bytes written* must stay within 3× of the lock and images left on
disk. Before the lock became an append-only log (src/store/lock.ts) every entry rewrote the
whole lock: 1,000 entries cost 16.6 ms of CPU each and wrote 875 MB for a 0.9 MB lock, 5,000
took 547 s and wrote 22 GB for a 4.3 MB lock.

**Memory.** Peak RSS of the CLI process, read at exit from \`process.resourceUsage().maxRSS\`
(getrusage; on Linux the same as VmHWM) by test/bench/rss-probe.mjs, which the benchmark loads
into the CLI with \`node --import\`. The emulator pads each image to the size given (valid
container padding streamed from a shared zero buffer), so the CLI downloads a real 200 MB file,
or four 20 MB files at once. "Flat" means the peak grows by less than 16 MB over a run that
downloads one small image. Most of the baseline is undici's first request: compiling its
llhttp WebAssembly parser briefly takes about 35 MB (\`node --liftoff-only\` avoids it); the
JavaScript heap stays near 20 MB, and the downloads stream to disk. While a big file streams,
up to about 33 MB of already-written 64 kB chunks wait for V8 to collect them; V8 collects when
that external memory grows, so it is bounded (an 800 MB image peaks as a 200 MB one does).
About one run in four peaks some 10 MB higher than the others: glibc gives V8's background
threads malloc arenas of their own (with \`MALLOC_ARENA_MAX=1\` no run does), so each row is
the median of three runs.
`;
  const path = join(ROOT, 'BENCHMARKS.md');
  writeFileSync(path, text);
  return path;
}
