import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDirs } from '../../src/util/make-dirs.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flux-krea-mkdir-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('makeDirs', () => {
  it('makes every missing level, accepts an existing directory, refuses a file in the way', async () => {
    await makeDirs(join(dir, 'a', 'b', 'c'));
    expect((await stat(join(dir, 'a', 'b', 'c'))).isDirectory()).toBe(true);
    await makeDirs(join(dir, 'a', 'b'));
    await writeFile(join(dir, 'f'), '');
    await expect(makeDirs(join(dir, 'f'))).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(makeDirs(join(dir, 'f', 'g'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  // Node's own { recursive: true } never returns here (it retries ENOENT forever).
  it.runIf(existsSync('/proc/self'))(
    'fails at once under /proc, where mkdir says ENOENT with the parent there',
    async () => {
      await expect(makeDirs('/proc/x')).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(makeDirs('/proc/x/y/z')).rejects.toMatchObject({ code: 'ENOENT' });
    },
  );
});
