/** Colour is on only where it can be seen; without it, styling is the identity (as chalk at level 0). */
import { describe, expect, it } from 'vitest';
import { createUi, Ui } from '../../src/cli/ui.js';

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
