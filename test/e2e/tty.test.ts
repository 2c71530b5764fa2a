/**
 * On a terminal: the spinner shows the state, elapsed time and request id; NO_COLOR takes its
 * colour away and keeps it; a terminal that reports 0 columns gets plain lines instead of hanging.
 * A real pty comes from util-linux's `script`.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { BIN, sandbox, type Sandbox } from '../helpers/cli.js';
import { installed, toolTestsRun } from '../helpers/tools.js';

let emu: Emulator;
let sb: Sandbox;
beforeAll(async () => {
  emu = await startEmulator({ progress: 'time', queuedMs: 400, processingMs: 400 });
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  sb = await sandbox(emu);
});
afterEach(async () => {
  await sb.cleanup();
});

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs the CLI on a pty of `cols` columns; stdout and stderr both land in the pty's output. */
function onPty(args: string[], cols: number, env: Record<string, string> = {}) {
  const cmd = `${cols ? `stty cols ${cols}; ` : ''}${[process.execPath, BIN, ...args].map(quote).join(' ')}`;
  return execa('script', ['-qec', cmd, '/dev/null'], {
    cwd: sb.dir,
    env: { PATH: process.env.PATH ?? '', HOME: sb.dir, TERM: 'xterm', ...sb.env, ...env },
    extendEnv: false,
    reject: false,
    timeout: 20_000,
    stdin: 'ignore',
  });
}

describe.skipIf(!toolTestsRun(installed('script')))('on a terminal', () => {
  it('spins with the state, the elapsed time and the request id', async () => {
    const r = await onPty(['tty spinner', '-n', '1', '-o', sb.outDir], 100, { NO_COLOR: '' });
    expect(r.exitCode, String(r.stdout)).toBe(0);
    const out = String(r.stdout);
    const id = emu.log.find((l) => l.path.endsWith('/status'))!.path.split('/')[3]!;
    expect(out).toMatch(/[\u2800-\u28ff](\u001b\[\d+m)? (QUEUED|PROCESSING) · \d+\.\ds · /);
    expect(out).toContain(id);
    expect(out).toContain('\u001b[');
    expect(out).not.toContain('flux-krea: QUEUED');
  });

  it('NO_COLOR: the spinner turns without colour (NO_COLOR means no colour, not no spinner)', async () => {
    const r = await onPty(['tty plain', '-n', '1', '-o', sb.outDir], 100, { NO_COLOR: '1' });
    expect(r.exitCode, String(r.stdout)).toBe(0);
    const out = String(r.stdout);
    expect(out).toMatch(/[\u2800-\u28ff] (QUEUED|PROCESSING) · \d+\.\ds · /);
    // Cursor movement and line clearing, but no colour (SGR) sequence.
    expect(out).not.toMatch(/\u001b\[[\d;]*m/);
    expect(out).not.toContain('flux-krea: QUEUED');
    expect(out).toMatch(/saved 1 image/);
  });

  it('a terminal with 0 columns gets plain lines and finishes', async () => {
    const r = await onPty(['tty zero', '-n', '1', '-o', sb.outDir], 0, { NO_COLOR: '' });
    expect(r.exitCode, String(r.stdout)).toBe(0);
    expect(String(r.stdout)).toMatch(/flux-krea: QUEUED · /);
  });
});
