/**
 * Manifest matrices end to end (in-process, against the emulator): the exact requests sent,
 * counted at the emulator; a rerun that pays nothing; a changed cell that costs one job; and
 * validation that names the entry, the cell and the field before anything is sent.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { FAST, billedSubmits, sandbox, type Sandbox } from '../helpers/cli.js';
import { runMain } from '../helpers/main.js';

let emu: Emulator;
let sb: Sandbox;
beforeEach(async () => {
  emu = await startEmulator({ credits: 1000 });
  sb = await sandbox(emu);
});
afterEach(async () => {
  await emu.close();
  await sb.cleanup();
});

const sent = () => billedSubmits(emu);
const batch = (path: string, ...args: string[]) =>
  runMain(['batch', path, '-o', sb.outDir, '-n', '1', ...FAST, ...args], sb);

const PETS = {
  name: 'pets',
  prompt: 'a {animal} in {style}',
  matrix: { animal: ['fox', 'owl'], style: ['watercolor', 'ink'], seed: [1, 2] },
};

describe('batch: a matrix entry', () => {
  it.each(['jsonl', 'json'])(
    'in a .%s manifest: exactly the 8 requests of the cells, then a rerun that pays nothing',
    async (ext) => {
      const path = join(sb.dir, `pets.${ext}`);
      await writeFile(path, ext === 'json' ? JSON.stringify([PETS], null, 2) : `${JSON.stringify(PETS)}\n`);
      const r = await batch(path, '--json');
      expect(r.exitCode, r.stderr).toBe(0);
      const bodies = sent()
        .map((b) => `${String(b.prompt)}|${String(b.seed)}`)
        .sort();
      expect(bodies).toEqual([
        'a fox in ink|1',
        'a fox in ink|2',
        'a fox in watercolor|1',
        'a fox in watercolor|2',
        'a owl in ink|1',
        'a owl in ink|2',
        'a owl in watercolor|1',
        'a owl in watercolor|2',
      ]);
      expect(emu.submits()).toBe(8);
      const files = String(r.stdout).match(/pets-[a-z]+-[a-z]+-seed-\d\.jpg/g) ?? [];
      expect(new Set(files).size).toBe(8);
      const lock = JSON.parse(await readFile(`${path}.lock.json`, 'utf8')) as { entries: Record<string, unknown> };
      expect(Object.keys(lock.entries)).toContain('pets[animal=fox seed=1 style=watercolor]');

      const again = await batch(path, '--json');
      expect(again.exitCode, again.stderr).toBe(0);
      expect(emu.submits()).toBe(8);
      // batch --json is JSON Lines: the summary is the last line.
      const summary = (out: string) => JSON.parse(out.trim().split('\n').at(-1)!) as { counts: Record<string, number> };
      expect(summary(again.stdout).counts).toMatchObject({
        total: 8,
        skipped: 8,
      });
      // --frozen checks every cell, sending nothing.
      const frozen = await batch(path, '--frozen', '--json');
      expect(frozen.exitCode, frozen.stderr).toBe(0);
      expect(emu.submits()).toBe(8);
      expect(summary(frozen.stdout).counts).toMatchObject({ total: 8, skipped: 8, stale: 0 });

      // One group in the gallery: the cells of one entry are laid out together.
      const g = await runMain(['gallery', path, '-o', join(sb.dir, `g-${ext}.html`)], sb);
      expect(g.exitCode, g.stderr).toBe(0);
      expect(g.stderr).toContain('8 images in 1 group');
    },
  );

  it('a changed cell costs one job; a new value costs only its cells', async () => {
    const path = join(sb.dir, 'pets.jsonl');
    await writeFile(
      path,
      `${JSON.stringify({ prompt: 'a {animal}', guidance: 3, matrix: { animal: ['fox', 'owl'] } })}\n`,
    );
    expect((await batch(path)).exitCode).toBe(0);
    expect(emu.submits()).toBe(2);
    await writeFile(
      path,
      `${JSON.stringify({ prompt: 'a {animal}', guidance: 3, matrix: { animal: ['fox', 'owl', 'cat'] } })}\n`,
    );
    expect((await batch(path)).exitCode).toBe(0);
    expect(emu.submits()).toBe(3);
    expect(sent().at(-1)).toMatchObject({ prompt: 'a cat', guidance: 3 });
  });

  it('a bad cell: entry line, cell and field named, exit 2, no request', async () => {
    const path = join(sb.dir, 'bad.jsonl');
    await writeFile(
      path,
      [
        JSON.stringify({ prompt: 'fine' }),
        JSON.stringify({ name: 'x', prompt: 'a {animal} {colour}', matrix: { animal: ['fox'], steps: [10, 99] } }),
        JSON.stringify({ prompt: '{word}', matrix: { word: ['ok', ' '] } }),
      ].join('\n'),
    );
    const r = await batch(path);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('bad.jsonl:2: prompt: unknown placeholder {colour}');
    expect(r.stderr).toContain('bad.jsonl:2: matrix.steps[1]: 99 is not allowed; use a whole number from 1 to 50.');
    expect(r.stderr).toContain('bad.jsonl:3: cell word= : prompt: " " is not allowed');
    expect(emu.log.filter((l) => l.method === 'POST')).toEqual([]);
  });

  it('--dry-run lists every cell and sends nothing', async () => {
    const path = join(sb.dir, 'pets.jsonl');
    await writeFile(path, `${JSON.stringify(PETS)}\n`);
    const r = await batch(path, '--dry-run');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('submit'))).toHaveLength(8);
    expect(r.stderr).toContain('8 to submit');
    expect(emu.log).toEqual([]);
  });
});
