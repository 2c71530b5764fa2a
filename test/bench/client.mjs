// Client overhead: a generation against the emulator with a fixed job time. The wall time is
// split, using the emulator's own clock and request log, into
//   start-up + submit  | job time (the server works) | notice lag (the next poll) | the rest
// where "the rest" is fetching the result, downloading, writing and exiting. The client's own
// cost is wall − job time − notice lag: everything that is not waiting for the server.
import { join } from 'node:path';
import { BIN, emulatorEnv, fmtMs, median, removeDir, run, tempDir } from './lib.mjs';

export const QUEUED_MS = 500;
export const PROCESSING_MS = 1000;
const JOB_MS = QUEUED_MS + PROCESSING_MS;

/**
 * The same prompt and seed every time: the emulator renders an image (a JPEG encoder in
 * JavaScript, in this very process) the first time it is asked for and caches it, so an
 * untimed first run leaves the timed ones measuring the client, as against Segmind, which
 * serves finished files from storage.
 */
const ARGS = ['a wool raccoon explorer holding a sign', '--seed', '1234', '--interval', '1', '--json'];

export async function clientOverhead(emu, { runs = 5 } = {}) {
  emu.configure({ progress: 'time', queuedMs: QUEUED_MS, processingMs: PROCESSING_MS, imagePadBytes: 0 });
  const samples = [];
  for (let i = -1; i < runs; i++) {
    const dir = tempDir('client');
    try {
      const from = emu.log.length;
      const r = await run(process.execPath, [BIN, ...ARGS, '-o', join(dir, 'out')], {
        env: emulatorEnv(dir, emu),
        cwd: dir,
        capture: true,
      });
      if (r.code !== 0) throw new Error(`the generation exited with ${r.code}: ${r.stderr}`);
      if (i < 0) continue;
      const id = JSON.parse(r.stdout).request_id;
      const job = emu.job(id);
      const doneAt = job.createdAt + JOB_MS;
      const polls = emu.log.slice(from).filter((e) => e.path.startsWith(`/v2/requests/${id}/status`));
      const noticed = polls.find((e) => e.time >= doneAt)?.time;
      if (noticed === undefined) throw new Error('no status poll after the job completed');
      samples.push({
        wall: r.ms,
        startSubmit: job.createdAt - r.start,
        lag: noticed - doneAt,
        tail: r.end - noticed,
        polls: polls.length,
      });
    } finally {
      removeDir(dir);
    }
  }
  const m = (k) => median(samples.map((s) => s[k]));
  const own = median(samples.map((s) => s.wall - JOB_MS - s.lag));
  return [
    { case: `generation, job ${JOB_MS} ms (wall)`, value: fmtMs(m('wall')), ratio: '', target: '', result: 'info' },
    {
      case: '  wall − job time',
      value: fmtMs(median(samples.map((s) => s.wall - JOB_MS))),
      ratio: '',
      target: '',
      result: 'info',
    },
    {
      case: '  notice lag (completion → the poll that saw it)',
      value: fmtMs(m('lag')),
      ratio: '',
      target: '',
      result: 'info',
    },
    { case: '  wall − time completion was noticed', value: fmtMs(m('tail')), ratio: '', target: '', result: 'info' },
    {
      case: '  start-up + submit (spawn → job created)',
      value: fmtMs(m('startSubmit')),
      ratio: '',
      target: '',
      result: 'info',
    },
    { case: '  status polls per generation', value: String(m('polls')), ratio: '', target: '', result: 'info' },
    {
      case: 'client overhead (wall − job − notice lag)',
      value: fmtMs(own),
      ratio: '',
      target: '< 150 ms',
      result: own < 150 ? 'PASS' : 'FAIL',
    },
  ];
}
