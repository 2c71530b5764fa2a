/**
 * Jobs outlive the client: --timeout (exit 7) and Ctrl-C (exit 130) print the request id and
 * the resume command, `result` fetches the images without submitting again, `status` and
 * `jobs` inspect.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { BIN, FAST, sandbox, type Sandbox } from '../helpers/cli.js';
import { runMain } from '../helpers/main.js';
import { imageInfo } from '../helpers/images.js';
import { until } from '../helpers/wait.js';

let emu: Emulator;
let sb: Sandbox;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  emu.log.length = 0;
  emu.configure({ queuedPolls: 1, processingPolls: 1 });
  sb = await sandbox(emu);
});
afterEach(async () => {
  await sb.cleanup();
});

const statusPolls = () => emu.log.filter((l) => l.path.endsWith('/status')).length;
const jobsJson = async () => JSON.parse(String((await runMain(['jobs', '--json'], sb)).stdout)).jobs;

describe('resume', () => {
  it('--timeout ends with exit 7 and the resume command; `result` then saves the images without a new submit', async () => {
    emu.configure({ queuedPolls: 1_000_000 });
    const r = await runMain(['slow job', '--timeout', '1', '--seed', '11', '-o', sb.outDir, ...FAST], sb);
    expect(r.exitCode).toBe(7);
    const id = emu.log.find((l) => l.path.endsWith('/status'))!.path.split('/')[3]!;
    expect(String(r.stderr)).toContain(`flux-krea result ${id} -o ${sb.outDir}`);
    expect(String(r.stderr)).toContain('--timeout');
    expect((await jobsJson())[0]).toMatchObject({
      request_id: id,
      state: 'submitted',
      fetchable: true,
      prompt: 'slow job',
      out_dir: sb.outDir,
    });

    emu.configure({ queuedPolls: 0, processingPolls: 0 });
    const res = await runMain(['result', id, ...FAST], sb);
    expect(res.exitCode, String(res.stderr)).toBe(0);
    expect(emu.submits()).toBe(1);
    const files = String(res.stdout).trim().split('\n');
    expect(files).toHaveLength(2);
    // Named as the original run would have named them, in the original run's directory.
    expect(files[0]).toBe(`${sb.outDir}/slow-job-11-1.jpg`);
    for (const f of files) expect((await imageInfo(f)).format).toBe('jpg');
    expect((await jobsJson())[0]).toMatchObject({ request_id: id, state: 'saved', fetchable: false, files });
    // --json prints the same shape as generate's: snake-case metrics.
    const again = JSON.parse(
      String((await runMain(['result', id, '--json', '-o', `${sb.outDir}/json`, ...FAST], sb)).stdout),
    );
    expect(again.metrics).toEqual({
      inference_time: expect.any(Number),
      cost: expect.any(Number),
      remaining_credits: expect.any(Number),
    });
    expect(again.files[0]).toEqual({
      path: expect.stringMatching(/slow-job-11-1\.jpg$/),
      bytes: expect.any(Number),
      format: 'jpg',
    });
  });

  it('Ctrl-C while waiting: exit 130, the request id and resume command, no temp files', async () => {
    emu.configure({ queuedPolls: 1_000_000 });
    const { execa } = await import('execa');
    const child = execa(process.execPath, [BIN, 'interrupt me', '-o', sb.outDir, ...FAST], {
      env: { PATH: process.env.PATH ?? '', ...sb.env },
      extendEnv: false,
      reject: false,
      cwd: sb.dir,
      stdin: 'ignore',
    });
    await until(() => statusPolls() >= 2, 'the CLI to poll');
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    const id = emu.log.find((l) => l.path.endsWith('/status'))!.path.split('/')[3]!;
    expect(String(r.stderr)).toContain(`flux-krea result ${id}`);
    expect((await jobsJson())[0]).toMatchObject({ request_id: id, state: 'submitted' });
    expect(await readdir(sb.outDir)).toEqual([]);
  });

  it('Ctrl-C during the submit waits for its answer: the billed job keeps its id and is journaled', async () => {
    emu.fault({ route: 'submit', kind: { type: 'stall', ms: 1500 } });
    const before = emu.submits();
    const { execa } = await import('execa');
    const child = execa(process.execPath, [BIN, 'interrupt the submit', '-o', sb.outDir, ...FAST], {
      env: { PATH: process.env.PATH ?? '', ...sb.env },
      extendEnv: false,
      reject: false,
      cwd: sb.dir,
      stdin: 'ignore',
    });
    await until(() => emu.log.some((l) => l.method === 'POST'), 'the submit to reach the emulator');
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(emu.submits() - before).toBe(1);
    const id = (await jobsJson())[0].request_id as string;
    expect(String(r.stderr)).toContain('Waiting for Segmind to answer the submit');
    expect(String(r.stderr)).toContain(`flux-krea result ${id}`);
    expect((await jobsJson())[0]).toMatchObject({ request_id: id, state: 'submitted', fetchable: true });
  });

  it('an unknown or expired id: a clear message, one request, no retry loop', async () => {
    const r = await runMain(['result', 'aaaaaaaa-0000-0000-0000-000000000000', ...FAST], sb);
    expect(r.exitCode).toBe(1);
    expect(String(r.stderr)).toMatch(/unknown or expired/);
    expect(String(r.stderr)).toMatch(/1 hour/);
    expect(emu.log).toHaveLength(1);
  });

  it('an expired job is marked so in the journal', async () => {
    emu.configure({ queuedPolls: 1_000_000 });
    await runMain(['expiring', '--timeout', '1', '-o', sb.outDir, ...FAST], sb);
    const id = (await jobsJson())[0].request_id as string;
    emu.expire(id);
    const r = await runMain(['result', id], sb);
    expect(r.exitCode).toBe(1);
    expect((await jobsJson())[0]).toMatchObject({ request_id: id, state: 'expired', fetchable: false });
  });
});

describe('status and jobs', () => {
  it('status prints the state once; FAILED exits 6 with the detail', async () => {
    emu.configure({ queuedPolls: 1_000_000 });
    await runMain(['one', '--timeout', '1', ...FAST, '-o', sb.outDir], sb);
    const id = (await jobsJson())[0].request_id as string;
    const s = await runMain(['status', id], sb);
    expect(s.exitCode).toBe(0);
    expect(String(s.stdout).trim()).toBe('QUEUED');
    const j = await runMain(['status', id, '--json'], sb);
    expect(JSON.parse(String(j.stdout))).toEqual({ schema_version: 1, request_id: id, status: 'QUEUED' });

    emu.configure({ queuedPolls: 1 });
    const failed = await runMain(['explode now', ...FAST, '-o', sb.outDir], sb);
    expect(failed.exitCode).toBe(6);
    const fid = (await jobsJson())[0].request_id as string;
    const fs = await runMain(['status', fid], sb);
    expect(fs.exitCode).toBe(6);
    expect(String(fs.stdout).trim()).toBe('FAILED');
    expect(String(fs.stderr)).toContain('CUDA out of memory');
  });

  it('jobs lists recent jobs, newest first, with what can still be fetched', async () => {
    await runMain(['first', '-n', '1', ...FAST, '-o', sb.outDir], sb);
    emu.configure({ queuedPolls: 1_000_000 });
    await runMain(['second', '-n', '1', '--timeout', '1', ...FAST, '-o', sb.outDir], sb);
    const list = await runMain(['jobs'], sb);
    expect(list.exitCode).toBe(0);
    const lines = String(list.stdout).trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/submitted .*second → flux-krea result /);
    // The cost column: what Segmind reported for the job (the emulator charges 0.01 an image).
    expect(lines[0]).toMatch(/submitted +- +/);
    expect(lines[1]).toMatch(/saved +0\.01 +1 file +first$/);
  });

  it('a request id that is not one is a usage error', async () => {
    const r = await runMain(['result', '../../etc'], sb);
    expect(r.exitCode).toBe(2);
    expect(emu.log).toHaveLength(0);
  });
});
