// Client overhead: a generation against the emulator with a fixed job time, and the same job
// done by test/bench/bare-client.mjs (the baseline: a plain Node script with undici that
// submits, polls, fetches the result and streams the images to files, nothing else), spawned
// the same way in the same interleaved rounds. Each wall time is split, using the emulator's
// own clock and request log, into
//   start-up + submit  | job time (the server works) | notice lag (the next poll) | the rest
// where "the rest" is fetching the result, downloading, writing and exiting. A client's own
// cost is wall − job time − notice lag: everything that is not waiting for the server. The
// row's ratio is the median over the rounds of flux-krea's own cost over the bare script's.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, emulatorEnv, fmtMs, median, removeDir, run, tempDir } from './lib.mjs';

export const QUEUED_MS = 500;
export const PROCESSING_MS = 1000;
const JOB_MS = QUEUED_MS + PROCESSING_MS;
const INTERVAL_MS = 1000;
const BARE = join(import.meta.dirname, 'bare-client.mjs');
/** flux-krea's own cost at most this multiple of the bare script's. */
export const MAX_RATIO = 1.5;

/**
 * The same prompt and seed every time: the emulator renders an image (a JPEG encoder in
 * JavaScript, in this very process) the first time it is asked for and caches it, so an
 * untimed first run leaves the timed ones measuring the client, as against Segmind, which
 * serves finished files from storage.
 */
const ARGS = [
  'a wool raccoon explorer holding a sign',
  '--seed',
  '1234',
  '--interval',
  String(INTERVAL_MS / 1000),
  '--json',
];

/** One run of either client: its wall time split on the emulator's clock. */
async function timed(emu, dir, args, requestIdOf) {
  const from = emu.log.length;
  const r = await run(process.execPath, args, { env: emulatorEnv(dir, emu), cwd: dir, capture: true });
  if (r.code !== 0) throw new Error(`${args[0]} exited with ${r.code}: ${r.stderr}`);
  const id = requestIdOf(r.stdout);
  const job = emu.job(id);
  const doneAt = job.createdAt + JOB_MS;
  const polls = emu.log.slice(from).filter((e) => e.path.startsWith(`/v2/requests/${id}/status`));
  const noticed = polls.find((e) => e.time >= doneAt)?.time;
  if (noticed === undefined) throw new Error('no status poll after the job completed');
  const lag = noticed - doneAt;
  return {
    wall: r.ms,
    startSubmit: job.createdAt - r.start,
    lag,
    tail: r.end - noticed,
    polls: polls.length,
    own: r.ms - JOB_MS - lag,
    submitted: emu.log.slice(from).find((e) => e.method === 'POST' && e.path.startsWith('/v2/'))?.body,
  };
}

export async function clientOverhead(emu, { runs = 7 } = {}) {
  emu.configure({ progress: 'time', queuedMs: QUEUED_MS, processingMs: PROCESSING_MS, imagePadBytes: 0 });
  const cli = [];
  const bare = [];
  let body;
  for (let i = -1; i < runs; i++) {
    const dir = tempDir('client');
    try {
      const id = (stdout) => JSON.parse(stdout).request_id;
      const c = await timed(emu, dir, [BIN, ...ARGS, '-o', join(dir, 'out')], id);
      // The baseline sends exactly what flux-krea sent (so it gets the same, cached, images).
      if (!body) {
        body = join(dir, '..', `flux-krea-bench-client-body-${process.pid}.json`);
        writeFileSync(body, JSON.stringify(c.submitted));
      }
      const b = await timed(emu, dir, [BARE, emu.url, join(dir, 'bare'), String(INTERVAL_MS), body], id);
      if (i < 0) continue;
      cli.push(c);
      bare.push(b);
    } finally {
      removeDir(dir);
    }
  }
  if (body) removeDir(body);
  const m = (xs, k) => median(xs.map((s) => s[k]));
  // Each round's pair ran back to back: the median of their ratios lets a burst of load on the
  // machine fall on both clients of a round instead of on one client's median.
  const ratio = median(cli.map((c, i) => c.own / bare[i].own));
  const info = (name, value) => ({ case: name, value, ratio: '', target: '', result: 'info' });
  return [
    info(`generation, job ${JOB_MS} ms (wall)`, fmtMs(m(cli, 'wall'))),
    info('  wall − job time', fmtMs(median(cli.map((s) => s.wall - JOB_MS)))),
    info('  notice lag (completion → the poll that saw it)', fmtMs(m(cli, 'lag'))),
    info('  wall − time completion was noticed', fmtMs(m(cli, 'tail'))),
    info('  start-up + submit (spawn → job created)', fmtMs(m(cli, 'startSubmit'))),
    info('  status polls per generation', String(m(cli, 'polls'))),
    {
      case: 'bare undici script, same job: wall − job − notice lag (baseline)',
      value: fmtMs(m(bare, 'own')),
      ratio: '1.00×',
      target: 'baseline',
      result: 'info',
    },
    info('  start-up + submit (spawn → job created)', fmtMs(m(bare, 'startSubmit'))),
    info('  wall − time completion was noticed', fmtMs(m(bare, 'tail'))),
    {
      case: 'client overhead (wall − job − notice lag)',
      value: fmtMs(m(cli, 'own')),
      ratio: `${ratio.toFixed(2)}×`,
      target: `≤ ${MAX_RATIO.toFixed(2)}×`,
      result: ratio <= MAX_RATIO ? 'PASS' : 'FAIL',
    },
  ];
}
