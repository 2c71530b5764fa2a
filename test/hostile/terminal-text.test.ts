/**
 * Text from a manifest reaches the terminal: a manifest arrives in pull requests, and the
 * journal keeps each prompt. An escape sequence in it (a window title, a cleared screen, a
 * forged line) must never be written raw to stderr or to the `jobs` table.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { copyFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { FAST, sandbox, type Sandbox } from '../helpers/cli.js';
import { runMain } from '../helpers/main.js';

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

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('control characters from a manifest', () => {
  for (const field of ['name', 'out']) {
    it(`in "${field}": a validation problem (exit 2, line named), nothing sent, nothing raw on the terminal`, async () => {
      const entry = { prompt: 'a cat', [field]: 'a\u001b]0;owned\u0007b' };
      await writeFile(join(sb.dir, 'm.jsonl'), `${JSON.stringify(entry)}\n`);
      const submits = emu.submits();
      const r = await runMain(['batch', 'm.jsonl', '-o', sb.outDir, '-n', '1', ...FAST], sb);
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toContain(`m.jsonl:1: ${field}:`);
      expect(r.stderr).toMatch(/control character/);
      expect(r.stderr + r.stdout).not.toMatch(CONTROL);
      expect(emu.submits()).toBe(submits);
      expect(await readdir(sb.outDir).catch(() => [])).toEqual([]);
    });
  }

  it('a prompt with an escape sequence is shown escaped in `jobs`, never raw', async () => {
    const gen = await runMain(['a cat\u001b[2J\u001b]0;owned\u0007', '-n', '1', '-o', sb.outDir, ...FAST], sb);
    expect(gen.exitCode, gen.stderr).toBe(0);
    const jobs = await runMain(['jobs'], sb);
    expect(jobs.exitCode).toBe(0);
    expect(jobs.stdout).toContain('a cat');
    expect(jobs.stdout + jobs.stderr).not.toMatch(CONTROL);
  });
});

describe("control characters in an image's record (images travel: the record is anyone's text)", () => {
  it('inspect and again --dry-run show them escaped, never raw', async () => {
    const gen = await runMain(['a cat', '-n', '1', '-o', sb.outDir, '--seed', '5', ...FAST], sb);
    expect(gen.exitCode, gen.stderr).toBe(0);
    const image = join(sb.dir, 'found.jpg');
    await copyFile(gen.stdout.trim(), image);
    await writeFile(
      `${image}.json`,
      JSON.stringify({
        prompt: 'hi\u001b]0;owned\u0007\u001b[2J',
        params: { prompt: 'hi\u001b[31mred', 'evil\u001b]0;t\u0007': 1, seed: 5 },
        seed: 5,
        model: 'flux-krea-dev',
        request_id: 'r\u001b[1m',
      }),
    );
    const inspect = await runMain(['inspect', 'found.jpg'], sb);
    expect(inspect.exitCode, inspect.stderr).toBe(0);
    expect(inspect.stdout).toContain('hi\\u001b]0;owned');
    expect(inspect.stdout + inspect.stderr).not.toMatch(CONTROL);
    const again = await runMain(['again', 'found.jpg', '--dry-run'], sb);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toContain('evil\\u001b]0;t');
    expect(again.stderr).not.toMatch(CONTROL);
  });
});
