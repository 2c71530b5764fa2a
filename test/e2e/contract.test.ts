/**
 * The installed CLI against the emulator playing the real Segmind (issue 11): one run per
 * user-visible behaviour, asserting the exit code, the message and what was billed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { FAST, runCli, sandbox, type Sandbox } from '../helpers/cli.js';
import { renderImage } from '../emulator/images/index.js';

let emu: Emulator;
let sb: Sandbox;
beforeEach(async () => {
  emu = await startEmulator();
  sb = await sandbox(emu);
});
afterEach(async () => {
  await sb.cleanup();
  await emu.close();
});

const jobs = async () => JSON.parse(String((await runCli(['jobs', '--json'], sb)).stdout)).jobs;

describe('the real Segmind, end to end', () => {
  it('out of credits on v2 (402): exit 4, the server text, nothing billed', async () => {
    emu.configure({ credits: 0.005 });
    const r = await runCli(['a fox', '-n', '1', '-o', sb.outDir, ...FAST], sb);
    expect(r.exitCode).toBe(4);
    expect(String(r.stderr)).toMatch(/Not enough credits \(402\): Insufficient credits\. You have 0\.005 credits\./);
    expect(String(r.stdout)).toBe('');
    expect(emu.submits()).toBe(0);
  });

  it('a batch stops submitting at the first 402', async () => {
    // Results that report no balance: only Segmind's 402 can stop the batch. (When they do
    // report it, the batch stops before the 402: test/cli/money.test.ts.)
    emu.configure({ credits: 0.015, reportCost: false });
    const path = join(sb.dir, 'm.txt');
    await writeFile(path, 'one\ntwo\nthree\nfour\n');
    const r = await runCli(['batch', path, '-n', '1', '--concurrency', '1', '-o', sb.outDir, ...FAST], sb);
    expect(r.exitCode).toBe(4);
    expect(emu.submits()).toBe(1);
    expect(emu.log.filter((l) => l.method === 'POST' && l.status === 402)).toHaveLength(1);
  });

  it('v1 500 (the model failed): exit 6 with the detail, run once', async () => {
    const r = await runCli(['explode', '--sync', '-n', '1', '-o', sb.outDir], sb);
    expect(r.exitCode).toBe(6);
    expect(String(r.stderr)).toContain('CUDA out of memory');
    expect(emu.submits()).toBe(1);
  });

  it('429s on every poll with only x-rate-limit-reset-at-utc (epoch seconds): waited out, the paid job is saved', async () => {
    const resetAt = String(Math.floor(Date.now() / 1000) + 1);
    emu.fault({
      route: 'status',
      times: 3,
      kind: { type: 'status', status: 429, headers: { 'x-rate-limit-reset-at-utc': resetAt } },
    });
    const r = await runCli(['patient', '-n', '1', '--retries', '0', '-o', sb.outDir, ...FAST], sb);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout).trim().split('\n')).toHaveLength(1);
    expect(emu.submits()).toBe(1);
  });

  it('a rate limit past --timeout: exit 7 with the resume command, never a give-up', async () => {
    const resetAt = new Date(Date.now() + 60_000).toISOString();
    emu.fault({
      route: 'status',
      times: 100,
      kind: { type: 'status', status: 429, headers: { 'x-rate-limit-reset-at-utc': resetAt } },
    });
    const r = await runCli(['too long', '-n', '1', '--timeout', '2', '-o', sb.outDir, ...FAST], sb);
    expect(r.exitCode).toBe(7);
    expect(String(r.stderr)).toMatch(/flux-krea result [0-9a-f]{32}/);
  });

  it('SEGMIND_BASE_URL ending in /v1, a submit answer without status_url, JSON-string output, a text/plain upload', async () => {
    emu.configure({ omitStatusUrl: true, v2ResultShape: 'output-json-string' });
    const input = join(sb.dir, 'in.png');
    await writeFile(input, renderImage({ format: 'png', width: 32, height: 32, quality: 90, key: 'in' }).bytes);
    const r = await runCli(['a boat', '-n', '2', '--image', input, '-o', sb.outDir, ...FAST], {
      ...sb,
      env: { ...sb.env, SEGMIND_BASE_URL: `${emu.url}/v1` },
    });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout).trim().split('\n')).toHaveLength(2);
    expect(emu.log.some((l) => l.path.startsWith('/v1/requests') || l.path.startsWith('/v1/v'))).toBe(false);
  });

  it('--seed -1 (Segmind\'s "random") is sent, named and journaled as a real seed', async () => {
    const r = await runCli(['random seed', '-n', '1', '--seed', '-1', '--json', '-o', sb.outDir, ...FAST], sb);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const out = JSON.parse(String(r.stdout));
    expect(out.seed).toBeGreaterThan(0);
    const sent = emu.log.find((l) => l.method === 'POST')!.body as { seed: number };
    expect(sent.seed).toBe(out.seed);
    expect((await jobs())[0].params.seed).toBe(out.seed);
  });

  it('the journal learns run times, so the next run polls around them', async () => {
    // Done at the first poll, which comes 2 s after the submit when there is no history.
    emu.configure({ queuedPolls: 0, processingPolls: 0 });
    await runCli(['first', '-n', '1', '-o', sb.outDir], sb);
    const [entry] = await jobs();
    expect(entry.run_ms).toBeGreaterThan(0);
  });
});
