// Polling: status polls per job and the notice lag (completion → the poll that saw it), for
// the default, adaptive schedule (issue 11). Real generations with the built CLI against the
// emulator in time mode, so each number is what a user's run costs in requests and waiting:
//   - a job whose length the journal has seen (an 8 s job, after one 8 s job): ≤ 4 polls,
//     noticed within 1 s;
//   - a job of Segmind's documented ~24 s with no history: ≤ 8 polls.
import { join } from 'node:path';
import { BIN, emulatorEnv, fmtMs, removeDir, run, tempDir } from './lib.mjs';

const QUEUED_MS = 1000;
const ARGS = ['a wool raccoon explorer holding a sign', '--seed', '1234', '-n', '1', '--json'];

/** One generation in `dir` (whose journal persists between calls); its polls and notice lag. */
async function generation(emu, dir, jobMs) {
  emu.configure({ progress: 'time', queuedMs: QUEUED_MS, processingMs: jobMs - QUEUED_MS, imagePadBytes: 0 });
  const from = emu.log.length;
  const r = await run(process.execPath, [BIN, ...ARGS, '-o', join(dir, 'out')], { env: emulatorEnv(dir, emu), cwd: dir, capture: true });
  if (r.code !== 0) throw new Error(`the generation exited with ${r.code}: ${r.stderr}`);
  const id = JSON.parse(r.stdout).request_id;
  const doneAt = emu.job(id).createdAt + jobMs;
  const polls = emu.log.slice(from).filter((e) => e.path === `/v2/requests/${id}/status`);
  const noticed = polls.find((e) => e.time >= doneAt)?.time;
  if (noticed === undefined) throw new Error('no status poll after the job completed');
  return { polls: polls.length, lag: noticed - doneAt };
}

export async function polling(emu) {
  const known = tempDir('poll-known');
  const unknown = tempDir('poll-unknown');
  try {
    await generation(emu, known, 8000); // teaches the journal an 8 s job
    const k = await generation(emu, known, 8000);
    const u = await generation(emu, unknown, 24_000);
    return [
      { case: 'known 8 s job: status polls', value: String(k.polls), ratio: '', target: '≤ 4', result: k.polls <= 4 ? 'PASS' : 'FAIL' },
      { case: 'known 8 s job: notice lag', value: fmtMs(k.lag), ratio: '', target: '≤ 1000 ms', result: k.lag <= 1000 ? 'PASS' : 'FAIL' },
      { case: 'unknown 24 s job: status polls', value: String(u.polls), ratio: '', target: '≤ 8', result: u.polls <= 8 ? 'PASS' : 'FAIL' },
      { case: 'unknown 24 s job: notice lag', value: fmtMs(u.lag), ratio: '', target: '', result: 'info' },
    ];
  } finally {
    removeDir(known);
    removeDir(unknown);
  }
}
