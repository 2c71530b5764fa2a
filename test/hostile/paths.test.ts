/**
 * Issue 12 item 6: paths read from a lock, a journal or a sidecar never leave their directory
 * and never name special files. A committed lock that names /dev/zero, a FIFO, a symlink to a
 * secret or an absolute path is not read (a read of /dev/zero never ends; of a FIFO never starts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collect } from '../../src/output/gallery/collect.js';
import { readProvenance } from '../../src/output/provenance-reader.js';
import { confinedPath, isPlainFile } from '../../src/util/plain-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flux-krea-paths-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const lockDoc = (paths: string[]) =>
  JSON.stringify({
    'flux-krea-lock': 1,
    model: 'flux-krea-dev',
    entries: Object.fromEntries(
      paths.map((p, i) => [
        `e${i}`,
        { hash: 'h', state: 'done', params: { prompt: `p${i}` }, files: [{ path: p, bytes: 1, sha256: 'x' }] },
      ]),
    ),
  });

describe('paths from files', () => {
  it('confinedPath keeps relative paths inside their root and refuses absolute ones and climbs', () => {
    expect(confinedPath('/a/b', 'c/d.png')).toBe('/a/b/c/d.png');
    expect(confinedPath('/a/b', 'c/../d.png')).toBe('/a/b/d.png');
    for (const bad of ['/etc/passwd', '../x.png', 'c/../../x.png', '..', '', 'C:/x', 'a\0b'])
      expect(confinedPath('/a/b', bad)).toBeUndefined();
    expect(confinedPath('/a/b/locks', '../art/x.png', '/a/b')).toBe('/a/b/art/x.png');
    expect(confinedPath('/a/b/locks', '../../x.png', '/a/b')).toBeUndefined();
  });

  it('isPlainFile: a regular file only', async () => {
    await writeFile(join(dir, 'f'), 'x');
    await symlink(join(dir, 'f'), join(dir, 'l'));
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    expect(await isPlainFile(join(dir, 'f'))).toBe(true);
    for (const p of ['l', 'fifo', 'missing']) expect(await isPlainFile(join(dir, p))).toBe(false);
    expect(await isPlainFile('/dev/zero')).toBe(false);
    expect(await isPlainFile(dir)).toBe(false);
  });

  it('gallery of a hostile lock (/dev/zero, a FIFO, a symlink, an absolute path) ends at once, reading none of them', async () => {
    await mkdir(join(dir, 'art'));
    execFileSync('mkfifo', [join(dir, 'art', 'fifo.png')]);
    await writeFile(join(dir, 'secret.txt'), 'secret');
    await symlink(join(dir, 'secret.txt'), join(dir, 'art', 'link.png'));
    await symlink('/dev/zero', join(dir, 'art', 'zero.png'));
    const lock = join(dir, 'm.jsonl.lock.json');
    await writeFile(lock, lockDoc(['/dev/zero', 'art/fifo.png', 'art/link.png', 'art/zero.png', '/etc/passwd']));
    const started = Date.now();
    const { items, warnings } = await collect([lock]);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(items).toHaveLength(5);
    expect(items.every((i) => i.file === undefined)).toBe(true);
    expect(warnings.filter((w) => /not a plain file of the batch/.test(w))).toHaveLength(5);
  });

  it("the library's readSidecar: a symlink to /dev/zero is no sidecar", async () => {
    const { readSidecar } = await import('../../src/output/metadata.js');
    await symlink('/dev/zero', join(dir, 'c.png.json'));
    expect(await readSidecar(join(dir, 'c.png'))).toBeUndefined();
  });

  it('a sidecar that is a symlink to /dev/zero (or a FIFO) is not read', async () => {
    await writeFile(join(dir, 'a.png'), 'not really');
    await symlink('/dev/zero', join(dir, 'a.png.json'));
    await expect(readProvenance(join(dir, 'a.png.json'))).rejects.toThrow(/not a plain file/);
    execFileSync('mkfifo', [join(dir, 'b.png.json')]);
    await expect(readProvenance(join(dir, 'b.png.json'))).rejects.toThrow(/not a plain file/);
  });
});
