/** Stand-ins that keep modules out of start-up (issue 6) must still work when used. */
import { describe, expect, it } from 'vitest';
import { spawn } from '../../src/util/lazy-child-process.js';
import { createUi, Ui } from '../../src/cli/ui.js';

describe('lazy child_process', () => {
  it('spawns through the real module on first use', async () => {
    const child = spawn(process.execPath, ['-e', 'process.stdout.write("ok")'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => { out += b; });
    const code = await new Promise((done) => child.on('exit', done));
    expect(code).toBe(0);
    expect(out).toBe('ok');
  });
});

describe('colour only when on', () => {
  it('without colour, any chain of styles returns the text as chalk at level 0 does', async () => {
    const ui = await createUi({ env: { NO_COLOR: '1' } });
    expect(ui.color.level).toBe(0);
    expect(ui.color.green('saved')).toBe('saved');
    expect(ui.color.red.bold.underline('a', 'b')).toBe('a b');
    expect(new Ui({ env: {} }).color.dim('x')).toBe('x');
  });

  it('with FORCE_COLOR, chalk is loaded and colours', async () => {
    const ui = await createUi({ env: { FORCE_COLOR: '1' } });
    expect(ui.color.level).toBe(1);
    expect(ui.color.green('saved')).toBe('\u001b[32msaved\u001b[39m');
  });
});
