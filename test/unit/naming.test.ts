import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimName, imageStem, slugify } from '../../src/output/naming.js';

describe('names', () => {
  it('slugs prompts predictably and safely', () => {
    expect(slugify('A wool raccoon, explorer!')).toBe('a-wool-raccoon-explorer');
    expect(slugify('Crème brûlée')).toBe('creme-brulee');
    expect(slugify('../../etc/passwd')).toBe('etc-passwd');
    expect(slugify('日本語')).toBe('image');
    expect(slugify('word '.repeat(40)).length).toBeLessThanOrEqual(48);
    expect(imageStem('a cat', 42, 0)).toBe('a-cat-42-1');
  });
});

describe('claimName', () => {
  let dir: string;
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'names-')); });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  it('never overwrites, even when many claim the same name at once', async () => {
    await writeFile(join(dir, 'x.png'), 'original');
    const temps = await Promise.all(Array.from({ length: 8 }, async (_, i) => {
      const t = join(dir, `.t${i}.part`);
      await writeFile(t, `copy ${i}`);
      return t;
    }));
    const names = await Promise.all(temps.map((t) => claimName(t, dir, 'x', 'png')));
    expect(new Set(names).size).toBe(8);
    expect(await readFile(join(dir, 'x.png'), 'utf8')).toBe('original');
    expect((await readdir(dir)).sort()).toEqual(['x.png', ...Array.from({ length: 8 }, (_, i) => `x_${i + 2}.png`)].sort());
  });
});
