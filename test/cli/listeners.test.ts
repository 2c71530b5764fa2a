/**
 * Issue 18: a 300-entry batch at --concurrency 16 printed a MaxListenersExceededWarning. Each
 * wait of a batch entry (a retry, a poll, a download) listens for Ctrl-C on an AbortSignal;
 * Node warns when more than ten listeners sit on one signal, as when sixteen entries waited
 * out a 503 at once on the batch's own. These batches put many entries into such waits at
 * once and assert that Node never warned.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { FAST, sandbox, type Sandbox } from '../helpers/cli.js';
import { runMain } from '../helpers/main.js';

let emu: Emulator;
let sb: Sandbox;
let warnings: Error[];
const onWarning = (w: Error) => warnings.push(w);
beforeEach(async () => {
  emu = await startEmulator({ credits: 100_000 });
  sb = await sandbox(emu);
  warnings = [];
  process.on('warning', onWarning);
});
afterEach(async () => {
  process.off('warning', onWarning);
  await emu.close();
  await sb.cleanup();
});

async function batchOf(n: number, args: string[]) {
  const path = join(sb.dir, 'prompts.txt');
  await writeFile(path, Array.from({ length: n }, (_, i) => `a raccoon number ${i}`).join('\n'));
  return runMain(['batch', path, '-o', sb.outDir, '-n', '1', '-q', '--rpm', '0', ...FAST, ...args], sb);
}

/** Node emits a warning on a later tick: let it arrive before looking. */
async function leakWarnings(): Promise<string[]> {
  await new Promise((r) => setTimeout(r, 50));
  return warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message);
}

describe('no MaxListenersExceededWarning with many entries waiting at once', () => {
  it('sixteen submits waiting out a 503 together', { timeout: 20_000 }, async () => {
    emu.fault({ route: 'submit', times: 16, kind: { type: 'status', status: 503 } });
    const r = await batchOf(20, ['--concurrency', '16']);
    expect(r.exitCode).toBe(0);
    // All sixteen were refused, then retried: they did wait at the same time.
    expect(emu.log.filter((e) => e.method === 'POST' && e.status === 503)).toHaveLength(16);
    expect(await leakWarnings()).toEqual([]);
    expect(r.stderr).not.toMatch(/MaxListeners/);
  });

  it(
    'slow submits, 429s, retried polls and downloads, and timeouts at concurrency 32',
    { timeout: 20_000 },
    async () => {
      emu.configure({ rateLimit: { perMinute: 600, header: 'retry-after' } });
      emu.fault({ route: 'submit', times: 32, kind: { type: 'stall', ms: 300 } });
      emu.fault({ route: 'status', times: 32, kind: { type: 'status', status: 503 } });
      emu.fault({ route: 'image', times: 32, kind: { type: 'status', status: 503 } });
      emu.fault({ route: 'status', times: 4, kind: { type: 'stall' } });
      const r = await batchOf(48, ['--concurrency', '32', '--timeout', '4']);
      expect(r.exitCode).not.toBe(2);
      expect(await leakWarnings()).toEqual([]);
      expect(r.stderr).not.toMatch(/MaxListeners/);
    },
  );
});
