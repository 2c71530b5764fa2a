import { describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, stat, symlink, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendNoFollow, writeFileAtomic } from '../../src/util/atomic-file.js';
import { Journal } from '../../src/store/journal.js';

const fresh = () => mkdtemp(join(tmpdir(), 'flux-krea-atomic-'));

describe('writeFileAtomic', () => {
  it('replaces the file whole, with mode 0600 by default, and leaves no temp file', async () => {
    const dir = await fresh();
    const path = join(dir, 'state.json');
    await writeFile(path, 'old');
    await writeFileAtomic(path, 'new contents');
    expect(await readFile(path, 'utf8')).toBe('new contents');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it('refuses a symbolic link and leaves its target untouched', async () => {
    const dir = await fresh();
    const target = join(dir, 'target.txt');
    await writeFile(target, 'precious');
    await symlink(target, join(dir, 'state.json'));
    await expect(writeFileAtomic(join(dir, 'state.json'), 'evil')).rejects.toMatchObject({ code: 'ELOOP' });
    expect(await readFile(target, 'utf8')).toBe('precious');
    expect((await readdir(dir)).sort()).toEqual(['state.json', 'target.txt']);
  });

  it('refuses a directory in place of the file', async () => {
    const dir = await fresh();
    await mkdir(join(dir, 'state.json'));
    await expect(writeFileAtomic(join(dir, 'state.json'), 'x')).rejects.toMatchObject({ code: 'EISDIR' });
  });

  it('fails cleanly when the directory is missing', async () => {
    const dir = await fresh();
    // The directory does not exist: nothing may be left behind anywhere.
    await expect(writeFileAtomic(join(dir, 'missing', 'state.json'), 'x')).rejects.toBeTruthy();
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('appendNoFollow', () => {
  it('appends, creating the file with mode 0600', async () => {
    const dir = await fresh();
    const path = join(dir, 'jobs.jsonl');
    await appendNoFollow(path, 'a\n');
    await appendNoFollow(path, 'b\n');
    expect(await readFile(path, 'utf8')).toBe('a\nb\n');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('never appends through a symbolic link: the journal warns and the target is untouched', async () => {
    const dir = await fresh();
    const target = join(dir, 'elsewhere.txt');
    await writeFile(target, 'precious\n');
    await symlink(target, join(dir, 'jobs.jsonl'));
    const warnings: string[] = [];
    const journal = new Journal(dir, (m) => warnings.push(m));
    await journal.record({ id: 'abc', state: 'submitted' });
    expect(await readFile(target, 'utf8')).toBe('precious\n');
    expect(warnings.join('\n')).toMatch(/symbolic link/);
  });
});
