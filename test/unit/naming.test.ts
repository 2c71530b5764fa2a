import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimName, imageStem, slugify } from '../../src/output/naming.js';

describe('names', () => {
  it('slugs prompts predictably and safely', () => {
    expect(slugify('A wool raccoon, explorer!')).toBe('a-wool-raccoon-explorer');
    expect(slugify('Crème brûlée')).toBe('crème-brûlée');
    // NFD input (as macOS file names and some keyboards give it) ends up NFC.
    expect(slugify('Cre\u0300me')).toBe('cr\u00e8me');
    expect(slugify('../../etc/passwd')).toBe('etc-passwd');
    expect(slugify('東京の夜景')).toBe('東京の夜景');
    expect(slugify('Ночной Токио!')).toBe('ночной-токио');
    expect(slugify('दिल्ली की रात')).toBe('दिल्ली-की-रात');
    expect(slugify('a\u202eevil/../x\u200b')).toBe('a-evil-x');
    expect(slugify('🦊🦊')).toBe('image');
    // Bounded in characters and bytes, whole characters only.
    const long = slugify('東京の夜景'.repeat(40));
    expect(Array.from(long).length).toBeLessThanOrEqual(48);
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(150);
    expect(long.normalize('NFC')).toBe(long);
    expect(slugify('word '.repeat(40)).length).toBeLessThanOrEqual(48);
    expect(imageStem('a cat', 42, 0)).toBe('a-cat-42-1');
  });
});

describe('claimName', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'names-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('never overwrites, even when many claim the same name at once', async () => {
    await writeFile(join(dir, 'x.png'), 'original');
    const temps = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const t = join(dir, `.t${i}.part`);
        await writeFile(t, `copy ${i}`);
        return t;
      }),
    );
    const names = await Promise.all(temps.map((t) => claimName(t, dir, 'x', 'png')));
    expect(new Set(names).size).toBe(8);
    expect(await readFile(join(dir, 'x.png'), 'utf8')).toBe('original');
    expect((await readdir(dir)).sort()).toEqual(
      ['x.png', ...Array.from({ length: 8 }, (_, i) => `x_${i + 2}.png`)].sort(),
    );
  });
});
