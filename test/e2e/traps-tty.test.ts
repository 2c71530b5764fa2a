/**
 * Issue 13 on a real terminal: `-o -` refused before paying (item 3), `--sync` spinning and
 * saying what Ctrl-C does (item 8), and a terminal made narrower mid-spin leaving no stale
 * frame (item 12). Terminals come from util-linux's `script` and, for the resize, tmux.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { readdir } from 'node:fs/promises';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { BIN, sandbox, type Sandbox } from '../helpers/cli.js';
import { installed, toolTestsRun } from '../helpers/tools.js';
import { until } from '../helpers/wait.js';

let emu: Emulator;
let sb: Sandbox;
beforeAll(async () => {
  emu = await startEmulator({ progress: 'time', queuedMs: 300, processingMs: 300 });
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  emu.log.length = 0;
  emu.configure({ progress: 'time', queuedMs: 300, processingMs: 300 });
  sb = await sandbox(emu);
});
afterEach(async () => {
  await sb.cleanup();
});

/** As until(), for a condition that must ask another process (tmux), every 100 ms. */
async function untilAsync(cond: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const command = (args: string[]) => [process.execPath, BIN, ...args].map(quote).join(' ');
const ptyEnv = () => ({ PATH: process.env.PATH ?? '', HOME: sb.dir, TERM: 'xterm', ...sb.env, NO_COLOR: '' });

/** The CLI on a pty (stdout and stderr both the terminal); stdin stays a pipe into it, for Ctrl-C. */
function onPty(args: string[]) {
  // exec: the CLI is the terminal's foreground process itself, so Ctrl-C reaches it alone.
  return execa('script', ['-qfec', `stty cols 120; exec ${command(args)}`, '/dev/null'], {
    cwd: sb.dir,
    env: ptyEnv(),
    extendEnv: false,
    reject: false,
    timeout: 20_000,
    stdin: 'pipe',
  });
}

describe.skipIf(!toolTestsRun(installed('script')))('on a terminal (script)', () => {
  it('item 3: `-o -` to a terminal exits 2 before anything is sent', async () => {
    const r = await onPty(['a red fox', '-n', '1', '-o', '-']);
    expect(r.exitCode).toBe(2);
    expect(String(r.stdout)).toContain('stdout is a terminal');
    expect(String(r.stdout)).toContain('Nothing was sent');
    expect(emu.log).toHaveLength(0);
  });

  it('item 3: `result <id> -o -` to a terminal exits 2 before anything is fetched', async () => {
    const r = await onPty(['result', '47411f110c6fa4fe05dcb9ffed2c1962', '-o', '-']);
    expect(r.exitCode).toBe(2);
    expect(String(r.stdout)).toContain('stdout is a terminal');
    expect(emu.log).toHaveLength(0);
  });

  it('item 8: --sync spins with the elapsed time; Ctrl-C says it waits for the paid call, which then completes', async () => {
    emu.configure({ queuedMs: 2500, processingMs: 0 });
    const child = onPty(['a red fox', '--sync', '-n', '1', '-o', sb.outDir]);
    let seen = '';
    child.stdout!.on('data', (d: Buffer) => {
      seen += d.toString();
    });
    await until(() => /generating \(--sync\) · /.test(seen), 'the sync spinner', 10_000);
    child.stdin!.write('\x03');
    const r = await child;
    const out = String(r.stdout);
    expect(r.exitCode, out).toBe(0);
    expect(out).toContain('Ctrl-C waits for its answer (the images are paid for); Ctrl-C twice quits.');
    expect(out).toMatch(/[\u2800-\u28ff](\u001b\[\d+m)? generating \(--sync\) · \d+\.\ds/);
    expect(out).toContain('Ctrl-C again quits now: the job may still be billed, and its images are lost.');
    expect(out).toMatch(/saved(\u001b\[\d+m)? 1 image/);
    expect(await readdir(sb.outDir)).toHaveLength(1);
    expect(emu.submits()).toBe(1);
  });
});

describe.skipIf(!toolTestsRun(installed('tmux')))('a terminal made narrower (tmux)', () => {
  it('item 12: leaves no stale spinner frame behind', async () => {
    emu.configure({ queuedMs: 1500, processingMs: 1500 });
    const socket = `flux-krea-test-${process.pid}`;
    const tmux = (...a: string[]) =>
      execa('tmux', ['-L', socket, '-f', '/dev/null', ...a], { env: ptyEnv(), extendEnv: false, cwd: sb.dir });
    const screen = async () => String((await tmux('capture-pane', '-p', '-S', '-50', '-t', 'trap')).stdout);
    try {
      // `; sleep` keeps the pane open after the CLI ends, to read what it left.
      await tmux(
        'new-session',
        '-d',
        '-s',
        'trap',
        '-x',
        '110',
        '-y',
        '20',
        `${command(['a red fox in fresh snow', '-n', '1', '-o', sb.outDir])}; echo EXIT=$?; sleep 30`,
      );
      await untilAsync(async () => /QUEUED|PROCESSING/.test(await screen()), 'the spinner', 10_000);
      await tmux('resize-window', '-t', 'trap', '-x', '40');
      await untilAsync(async () => /EXIT=\d/.test(await screen()), 'the CLI to finish', 15_000);
      const text = await screen();
      expect(text).toContain('EXIT=0');
      expect(text).toMatch(/saved 1 image/);
      // Every spinner frame was cleared: none, and no piece of one, is left on the screen.
      expect(text, text).not.toMatch(/[\u2800-\u28ff]/);
      expect(text, text).not.toMatch(/(QUEUED|PROCESSING) ·/);
    } finally {
      await tmux('kill-server').catch(() => undefined);
    }
  });
});

describe.skipIf(!toolTestsRun(installed('script')))('auth login on a terminal (script)', () => {
  it('item 10: asks for the key without echo, says where it went and what to do next', async () => {
    // The emulator's key: login checks it with Segmind (here, the emulator) before storing it.
    const key = emu.apiKey;
    const env = { ...ptyEnv(), SEGMIND_API_KEY: '' };
    const child = execa('script', ['-qfec', `exec ${command(['auth', 'login'])}`, '/dev/null'], {
      cwd: sb.dir,
      env,
      extendEnv: false,
      reject: false,
      timeout: 20_000,
      stdin: 'pipe',
    });
    let seen = '';
    child.stdout!.on('data', (d: Buffer) => {
      seen += d.toString();
    });
    await until(() => seen.includes('(input hidden;'), 'the prompt', 10_000);
    child.stdin!.write(`${key}\r`);
    const r = await child;
    const out = String(r.stdout);
    expect(r.exitCode, out).toBe(0);
    expect(out).toContain(
      'Paste your Segmind API key (input hidden; get one at https://cloud.segmind.com/console/api-keys):',
    );
    expect(out).not.toContain(key);
    expect(out).toMatch(/Stored key SG_\*+cdef in .*config\.json \(readable only by you\); it works \(/);
    expect(out).toContain('Next: flux-krea "a red fox in fresh snow"');
  });
});
