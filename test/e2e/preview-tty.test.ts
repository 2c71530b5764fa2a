/**
 * --preview on a real pseudo-terminal (util-linux `script`): the bytes of each protocol, the
 * terminal query answered (sixel) or not (coloured blocks after the timeout), tmux, and
 * nothing at all on a pipe, with --json, or where auto has no picture to draw (issue 16).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { BIN, FAST, runCli, sandbox, type Sandbox } from '../helpers/cli.js';
import { installed, toolTestsRun } from '../helpers/tools.js';

let emu: Emulator;
let sb: Sandbox;
beforeAll(async () => {
  emu = await startEmulator();
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
const ESC = '\u001b';
const BASE_ENV = { TERM: 'xterm-256color', NO_COLOR: '' };

/**
 * Runs the CLI on a 120×40 pty; stdout and stderr both land in the pty's output. `answer`
 * plays the terminal: once the query shows up in the output, it is typed back as input.
 */
async function onPty(args: string[], env: Record<string, string>, answer?: string) {
  const cmd = `stty cols 120 rows 40; ${[process.execPath, BIN, ...args, '-o', sb.outDir, ...FAST].map(quote).join(' ')}`;
  const child = execa('script', ['-qec', cmd, '/dev/null'], {
    cwd: sb.dir,
    env: { PATH: process.env.PATH ?? '', HOME: sb.dir, ...sb.env, ...BASE_ENV, ...env },
    extendEnv: false,
    reject: false,
    timeout: 20_000,
    stdin: answer ? 'pipe' : 'ignore',
  });
  if (answer) {
    let seen = '';
    child.stdout!.on('data', (b: Buffer) => {
      seen += b.toString();
      if (seen.includes(`${ESC}[c`)) {
        child.stdin!.write(answer);
        seen = '';
      }
    });
  }
  const r = await child;
  return { exitCode: r.exitCode, out: String(r.stdout) };
}

describe.skipIf(!toolTestsRun(installed('script')))('--preview on a terminal', () => {
  it('kitty: PNG in APC chunks, side by side through cursor moves, names underneath', async () => {
    const r = await onPty(['kitty preview', '-n', '2', '--format', 'png', '--megapixels', '0.25'], {
      TERM: 'xterm-kitty',
    });
    expect(r.exitCode, r.out).toBe(0);
    const firsts = [...r.out.matchAll(/\u001b_Ga=T,f=100,q=2,C=1,c=(\d+),r=(\d+),m=[01];/g)];
    expect(firsts).toHaveLength(2);
    expect(r.out).toMatch(/\u001b_Gm=0;[A-Za-z0-9+/=]*\u001b\\/);
    // The second image starts to the right of the first: saved cursor, moved right.
    expect(r.out).toContain(`${ESC}8${ESC}[${Number(firsts[0]![1]) + 2}C${ESC}_G`);
    expect(r.out).toMatch(/kitty-preview-\d+-1\.png +kitty-preview-\d+-2\.png/);
    // No query: the environment already said kitty.
    expect(r.out).not.toContain(`${ESC}[c`);
    expect(r.out.indexOf('_Ga=T')).toBeLessThan(r.out.search(/saved\S* 2 images/));
  });

  it('iTerm2: OSC 1337 inline files', async () => {
    const r = await onPty(['iterm preview', '-n', '1'], { TERM_PROGRAM: 'iTerm.app' });
    expect(r.exitCode, r.out).toBe(0);
    expect(r.out).toMatch(
      /\u001b\]1337;File=name=[A-Za-z0-9+/=]+;size=\d+;width=\d+;height=\d+;preserveAspectRatio=1;inline=1:iVBORw0KGgo[A-Za-z0-9+/=]+\u0007/,
    );
  });

  it('always: asks the terminal, and draws sixel when DA1 reports attribute 4', async () => {
    const r = await onPty(['sixel preview', '-n', '1', '--preview', 'always'], {}, `${ESC}[6;16;8t${ESC}[?62;4;6;22c`);
    expect(r.exitCode, r.out).toBe(0);
    expect(r.out).toContain(`${ESC}_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA${ESC}\\${ESC}[16t${ESC}[c`);
    expect(r.out).toMatch(/\u001bPq"1;1;\d+;\d+#\d+;2;/);
    expect(r.out).toMatch(/-\u001b\\/);
  });

  it('always: a terminal that does not answer gets coloured blocks after a short wait', async () => {
    const started = Date.now();
    const r = await onPty(['blocks preview', '-n', '1', '--preview', 'always'], { COLORTERM: 'truecolor' });
    expect(r.exitCode, r.out).toBe(0);
    expect(r.out).toMatch(/\u001b\[38;2;\d+;\d+;\d+;48;2;\d+;\d+;\d+m▀/);
    expect(r.out).not.toContain('\u001bPq');
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('256 colours where that is all there is; nothing under NO_COLOR', async () => {
    const r = await onPty(['ansi preview', '-n', '1', '--preview', 'always'], { FLUX_KREA_PREVIEW_PROTOCOL: '' });
    expect(r.out).toMatch(/\u001b\[38;5;\d+;48;5;\d+m▀/);
    const plain = await onPty(['plain preview', '-n', '1', '--preview', 'always'], { NO_COLOR: '1' }, `${ESC}[?62;22c`);
    expect(plain.exitCode, plain.out).toBe(0);
    expect(plain.out).not.toContain('▀');
  });

  it('tmux: blocks by default, a named protocol through passthrough', async () => {
    const tmux = { TERM: 'screen-256color', TMUX: '/tmp/tmux-0/default,1,0', KITTY_WINDOW_ID: '3' };
    const auto = await onPty(['tmux auto', '-n', '1'], tmux);
    expect(auto.out).not.toContain('▀');
    expect(auto.out).not.toContain('_G');
    const always = await onPty(['tmux always', '-n', '1', '--preview', 'always'], tmux);
    expect(always.out).toMatch(/\u001b\[38;5;\d+;48;5;\d+m▀/);
    const passthrough = await onPty(['tmux kitty', '-n', '1'], { ...tmux, FLUX_KREA_PREVIEW_PROTOCOL: 'kitty' });
    expect(passthrough.out).toContain(`${ESC}Ptmux;${ESC}${ESC}_Ga=T,f=100`);
  });

  it('auto on a terminal without pictures: not a byte, not even a query', async () => {
    const r = await onPty(['auto preview', '-n', '1'], { COLORTERM: 'truecolor' });
    expect(r.exitCode, r.out).toBe(0);
    expect(r.out).not.toContain('▀');
    expect(r.out).not.toContain(`${ESC}[c`);
  });

  it('--json, -q and --preview never draw nothing, even in kitty', async () => {
    for (const flags of [['--json'], ['-q'], ['--preview', 'never']]) {
      const r = await onPty(['quiet preview', '-n', '1', ...flags], { TERM: 'xterm-kitty' });
      expect(r.exitCode, r.out).toBe(0);
      expect(r.out, flags.join(' ')).not.toContain('_G');
    }
  });
});

describe('--preview off a terminal', () => {
  it('draws nothing on a pipe, whatever is asked', async () => {
    const env = { ...sb.env, TERM: 'xterm-kitty', FLUX_KREA_PREVIEW_PROTOCOL: 'kitty', COLORTERM: 'truecolor' };
    const r = await runCli(['pipe preview', '-n', '1', '-o', sb.outDir, ...FAST, '--preview', 'always'], {
      ...sb,
      env,
    });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stderr)).not.toContain(ESC);
    expect(String(r.stdout)).not.toContain(ESC);
  });

  it('rejects an unknown --preview value before any request (exit 2)', async () => {
    const before = emu.log.length;
    const r = await runCli(['x', '--preview', 'sometimes'], sb);
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr)).toMatch(/--preview.*sometimes.*auto, always, never/s);
    expect(emu.log.length).toBe(before);
  });
});
