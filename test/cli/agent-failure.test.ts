/**
 * undici and its Agent load at the first request: when that fails, the CLI reports the error
 * itself (exit 1), not a network failure with network advice, and a submit is not taken for a
 * job that may exist (nothing was sent).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { sandbox, type Sandbox } from '../helpers/cli.js';
import { runMain } from '../helpers/main.js';

vi.mock('../../src/api/undici.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/api/undici.js')>()),
  newAgent: () => Promise.reject(new Error('undici could not be loaded')),
}));

let emu: Emulator;
let sb: Sandbox;
beforeEach(async () => {
  emu = await startEmulator();
  sb = await sandbox(emu);
});
afterEach(async () => {
  await emu.close();
  await sb.cleanup();
});

describe('an HTTP stack that cannot be loaded', () => {
  it('credits: exit 1 with the error itself, no retries, no network advice', async () => {
    const r = await runMain(['credits'], sb);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('undici could not be loaded');
    expect(r.stderr).not.toMatch(/retry|network connection/i);
  });

  it('generate: nothing was sent, so no request id to resume and no job that may exist', async () => {
    const r = await runMain(['a fox', '-n', '1', '-o', 'out'], sb);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('undici could not be loaded');
    expect(r.stderr).not.toMatch(/retry|network connection|may (still )?exist|flux-krea result/i);
    expect(emu.submits()).toBe(0);
  });
});
