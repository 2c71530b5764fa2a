/** Terminal detection, the query, the layout and each protocol's bytes (issue 16). */
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import {
  blockDepth,
  chooseProtocol,
  parseReply,
  QUERY,
  queryTerminal,
  worthQuerying,
} from '../../src/output/preview/terminal.js';
import { label, layout, maxImageRows } from '../../src/output/preview/layout.js';
import {
  ansi256,
  halfBlockLines,
  itermImage,
  kittyImage,
  sixelImage,
  tmuxPassthrough,
} from '../../src/output/preview/protocols.js';
import { decodePng } from '../../src/output/preview/png.js';
import { previewWanted } from '../../src/output/preview/wanted.js';
import { previewImages } from '../../src/output/preview/index.js';

const ESC = '\u001b';
const solid = (w: number, h: number, rgb: [number, number, number]) => {
  const data = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) data.set([...rgb, 255], i * 4);
  return { width: w, height: h, data };
};

describe('which protocol', () => {
  it.each([
    [{ TERM: 'xterm-kitty' }, 'kitty'],
    [{ TERM: 'xterm-256color', KITTY_WINDOW_ID: '1' }, 'kitty'],
    [{ TERM: 'xterm-ghostty' }, 'kitty'],
    [{ TERM: 'xterm-256color', KONSOLE_VERSION: '240202' }, 'kitty'],
    [{ TERM: 'xterm-256color', TERM_PROGRAM: 'iTerm.app' }, 'iterm'],
    [{ TERM: 'xterm-256color', TERM_PROGRAM: 'WezTerm' }, 'iterm'],
    [{ TERM: 'xterm-256color', COLORTERM: 'truecolor' }, 'truecolor'],
    [{ TERM: 'xterm-256color' }, 'ansi256'],
    [{ TERM: 'xterm' }, 'ansi256'],
    [{ TERM: 'linux' }, undefined],
    [{ TERM: 'dumb' }, undefined],
    [{}, undefined],
    // tmux: blocks, whatever the outer terminal is...
    [{ TERM: 'tmux-256color', TMUX: '/tmp/t,1,0', KITTY_WINDOW_ID: '1', COLORTERM: 'truecolor' }, 'truecolor'],
    [{ TERM: 'screen', TERM_PROGRAM: 'iTerm.app' }, 'ansi256'],
    // ...unless asked for by name.
    [{ TERM: 'tmux-256color', TMUX: '/tmp/t,1,0', FLUX_KREA_PREVIEW_PROTOCOL: 'kitty' }, 'kitty'],
    [{ TERM: 'xterm-kitty', FLUX_KREA_PREVIEW_PROTOCOL: 'ansi256' }, 'ansi256'],
  ] as [NodeJS.ProcessEnv, string | undefined][])('%o → %s', (env, expected) => {
    expect(chooseProtocol(env, {}, true)).toBe(expected);
  });

  it('uses what the terminal answered when the environment does not tell', () => {
    const env = { TERM: 'xterm-256color' };
    expect(worthQuerying(env)).toBe(true);
    expect(chooseProtocol(env, { kitty: true, sixel: true }, true)).toBe('kitty');
    expect(chooseProtocol(env, { kitty: false, sixel: true }, true)).toBe('sixel');
    expect(worthQuerying({ TERM: 'xterm-kitty' })).toBe(false);
    expect(worthQuerying({ TERM: 'screen', TMUX: 'x' })).toBe(false);
  });

  it('without colour (NO_COLOR) draws pictures but no coloured blocks', () => {
    expect(chooseProtocol({ TERM: 'xterm-256color', COLORTERM: 'truecolor' }, {}, false)).toBeUndefined();
    expect(chooseProtocol({ TERM: 'xterm-kitty' }, {}, false)).toBe('kitty');
    expect(blockDepth({ TERM: 'vt100' })).toBeUndefined();
  });
});

describe('the terminal query', () => {
  it('parses kitty OK, the cell size and DA1 with or without sixel', () => {
    expect(parseReply(`${ESC}_Gi=31;OK${ESC}\\${ESC}[6;20;10t${ESC}[?62;4;22c`)).toEqual({
      done: true,
      kitty: true,
      sixel: true,
      cell: { width: 10, height: 20 },
    });
    expect(parseReply(`${ESC}[?1;2c`)).toEqual({ done: true, kitty: false, sixel: false });
    expect(parseReply(`${ESC}[6;20;10t`).done).toBe(false);
  });

  it('asks once, reads the answer in raw mode, hands the input back paused', async () => {
    const raw: boolean[] = [];
    const input = Object.assign(new PassThrough(), {
      isRaw: false,
      setRawMode: (b: boolean) => {
        raw.push(b);
      },
    }) as unknown as NodeJS.ReadStream;
    let sent = '';
    const p = queryTerminal(
      {
        input,
        write: (s) => {
          sent += s;
          (input as unknown as PassThrough).write(`${ESC}[?62;4c`);
        },
      },
      5000,
    );
    expect(await p).toEqual({ sixel: true, kitty: false });
    expect(sent).toBe(QUERY);
    expect(raw).toEqual([true, false]);
    expect((input as unknown as PassThrough).isPaused()).toBe(true);
  });

  it('gives up after the timeout when the terminal says nothing', async () => {
    const input = new PassThrough() as unknown as NodeJS.ReadStream;
    const started = Date.now();
    expect(await queryTerminal({ input, write: () => undefined }, 50)).toEqual({});
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('layout', () => {
  it('puts images side by side when they fit, else in rows', () => {
    // 16:9 at 14 rows (24-row terminal) is 49 columns wide: four fit in 202 columns.
    expect(maxImageRows(24)).toBe(14);
    const four = Array(4).fill({ width: 1344, height: 768 });
    const wide = layout(four, { columns: 202, rows: 24 });
    expect(wide.map((r) => r.map((p) => [p.col, p.cols, p.rows]))).toEqual([
      [
        [0, 49, 14],
        [51, 49, 14],
        [102, 49, 14],
        [153, 49, 14],
      ],
    ]);
    // 150 columns: all four in one row at 10 rows (the readable minimum) rather than one per row at 14.
    const shrunk = layout(four, { columns: 150, rows: 24 });
    expect(shrunk.map((r) => r.map((p) => [p.col, p.cols, p.rows]))).toEqual([
      [
        [0, 35, 10],
        [37, 35, 10],
        [74, 35, 10],
        [111, 35, 10],
      ],
    ]);
    // 80 columns: two per row.
    expect(layout(four, { columns: 80, rows: 24 }).map((r) => r.length)).toEqual([2, 2]);
    // Mixed shapes share one height.
    const mixed = layout(
      [
        { width: 1344, height: 768 },
        { width: 768, height: 1344 },
      ],
      { columns: 200, rows: 40 },
    );
    expect(mixed[0]!.map((p) => p.rows)).toEqual([24, 24]);
  });

  it('shrinks an image wider than the terminal to its width', () => {
    const rows = layout([{ width: 1536, height: 640 }], { columns: 40, rows: 50 });
    expect(rows[0]![0]).toMatchObject({ cols: 38, rows: 8 });
  });

  it('labels are exactly the image width', () => {
    expect(label('a.png', 8)).toBe('a.png   ');
    expect(label('a-very-long-name.png', 9)).toBe('a-ve….png');
    expect([...label('a-very-long-name.png', 9)]).toHaveLength(9);
  });
});

describe('protocols', () => {
  it('kitty: PNG in 4096-byte base64 chunks, m=1 until the last, quiet, cursor kept', () => {
    const noisy = {
      width: 64,
      height: 64,
      data: new Uint8Array(64 * 64 * 4).map(() => Math.floor(Math.random() * 256)),
    };
    const s = kittyImage(noisy, 20, 10);
    const parts = [...s.matchAll(/\u001b_G([^;]*);([A-Za-z0-9+/=]*)\u001b\\/g)];
    expect(parts.length).toBeGreaterThan(2);
    expect(parts.map((m) => m[0]).join('')).toBe(s);
    expect(parts[0]![1]).toBe('a=T,f=100,q=2,C=1,c=20,r=10,m=1');
    expect(parts.slice(1, -1).every((m) => m[1] === 'm=1' && m[2]!.length === 4096)).toBe(true);
    expect(parts.at(-1)![1]).toBe('m=0');
    const png = Buffer.from(parts.map((m) => m[2]).join(''), 'base64');
    expect(decodePng(png).data).toEqual(noisy.data);
  });

  it('iTerm2: OSC 1337 with the size in cells and the PNG inline', () => {
    const s = itermImage(solid(4, 2, [255, 0, 0]), 12, 3, 'hero.png');
    const m =
      /^\u001b\]1337;File=name=([^;]+);size=(\d+);width=12;height=3;preserveAspectRatio=1;inline=1:([A-Za-z0-9+/=]+)\u0007$/.exec(
        s,
      );
    expect(m).not.toBeNull();
    expect(Buffer.from(m![1]!, 'base64').toString()).toBe('hero.png');
    const png = Buffer.from(m![3]!, 'base64');
    expect(png.length).toBe(Number(m![2]));
    expect(decodePng(png).data.subarray(0, 4)).toEqual(new Uint8Array([255, 0, 0, 255]));
  });

  it('sixel: raster size, palette and run-length coded bands', () => {
    const s = sixelImage(solid(10, 7, [255, 0, 0]));
    // Pure red is cube colour 5·36 = 180; a 7-row image is two bands (6 rows, then 1).
    expect(s).toBe(`${ESC}Pq"1;1;10;7#180;2;100;0;0#180!10~-#180!10@-${ESC}\\`);
  });

  it('half-blocks: top pixel foreground, bottom background, colour codes only on change', () => {
    const p = solid(2, 2, [10, 20, 30]);
    expect(halfBlockLines(p, 'truecolor')).toEqual([`${ESC}[38;2;10;20;30;48;2;10;20;30m▀▀${ESC}[0m`]);
    expect(halfBlockLines(p, 'ansi256')).toEqual([`${ESC}[38;5;233;48;5;233m▀▀${ESC}[0m`]);
    // An odd height: the last line's lower half is black.
    expect(halfBlockLines(solid(1, 3, [255, 255, 255]), 'truecolor')[1]).toBe(
      `${ESC}[38;2;255;255;255;48;2;0;0;0m▀${ESC}[0m`,
    );
  });

  it('256 colours: the cube or the grey ramp, whichever is nearer', () => {
    expect(ansi256(255, 0, 0)).toBe(196);
    expect(ansi256(0, 0, 0)).toBe(16);
    expect(ansi256(128, 128, 128)).toBe(244);
  });

  it('tmux passthrough doubles every ESC inside', () => {
    expect(tmuxPassthrough(`${ESC}_Ga=T;x${ESC}\\`)).toBe(`${ESC}Ptmux;${ESC}${ESC}_Ga=T;x${ESC}${ESC}\\${ESC}\\`);
  });
});

describe('when to preview', () => {
  const tty = { json: false, quiet: false, toStdout: false, stderrIsTTY: true, env: { TERM: 'xterm-kitty' } };
  it.each([
    ['auto', tty, true],
    ['auto', { ...tty, env: { TERM: 'xterm-256color', TERM_PROGRAM: 'iTerm.app' } }, true],
    // auto stays silent where only a query or coloured blocks could show something...
    ['auto', { ...tty, env: { TERM: 'xterm-256color', COLORTERM: 'truecolor' } }, false],
    ['auto', { ...tty, env: { TERM: 'tmux-256color', TMUX: 'x', KITTY_WINDOW_ID: '1' } }, false],
    // ...unless a protocol is named.
    ['auto', { ...tty, env: { TERM: 'xterm', FLUX_KREA_PREVIEW_PROTOCOL: 'ansi256' } }, true],
    ['always', { ...tty, env: { TERM: 'xterm-256color' } }, true],
    ['always', tty, true],
    ['never', tty, false],
    [undefined, tty, false],
    ['always', { ...tty, stderrIsTTY: false }, false],
    ['always', { ...tty, json: true }, false],
    ['always', { ...tty, quiet: true }, false],
    ['always', { ...tty, toStdout: true }, false],
  ] as const)('%s %j → %s', (mode, c, expected) => {
    expect(previewWanted(mode, c)).toBe(expected);
  });
});

describe('previewImages', () => {
  it('auto draws nothing where only coloured blocks would do; always does', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { encodePng } = await import('../../src/output/preview/png.js');
    const dir = await mkdtemp(join(tmpdir(), 'fk-preview-'));
    const file = join(dir, 'red.png');
    await writeFile(file, encodePng(solid(32, 16, [255, 0, 0])));
    let out = '';
    const base = {
      paths: [file],
      env: { TERM: 'xterm-256color', COLORTERM: 'truecolor' },
      write: (s: string) => {
        out += s;
      },
      columns: 80,
      rows: 24,
      colour: true,
      reply: {},
    };
    expect(await previewImages({ ...base, mode: 'auto' })).toEqual({ protocol: 'truecolor', shown: 0 });
    expect(out).toBe('');
    expect(await previewImages({ ...base, mode: 'always' })).toEqual({ protocol: 'truecolor', shown: 1 });
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^\u001b\[38;2;255;0;0;48;2;255;0;0m▀+\u001b\[0m$/);
    expect(lines).toContain('red.png');
    const warnings: string[] = [];
    await previewImages({ ...base, paths: [join(dir, 'missing.png')], mode: 'always', warn: (m) => warnings.push(m) });
    expect(warnings[0]).toMatch(/Cannot preview .*missing\.png/);
  });
});
