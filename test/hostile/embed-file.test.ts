/**
 * The image file under `--metadata embed` when the world moves: the file truncated or replaced
 * between the walk and the copy, a read error midway, a full disk, a symlink, a directory that
 * disappears, a FIFO named like an image. Whatever happens, no file is half-written, no other
 * file is overwritten, and no temp file is left behind.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { execFileSync } from 'node:child_process';
import { constants, promises as fsp, rmSync, truncateSync, writeFileSync, renameSync } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderImage } from '../emulator/images/index.js';
import { pngChunk } from '../emulator/images/png.js';
import { EmbedError } from '../../src/output/embed.js';
import { embedInFile, extractFromFile, type Provenance } from '../../src/output/metadata.js';
import { readProvenance } from '../../src/output/provenance-reader.js';

/** Runs once, after the walk has planned the parts and before any byte is copied. */
const afterWalk = vi.hoisted(() => ({ run: undefined as undefined | (() => void) }));
vi.mock('../../src/output/embed.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/output/embed.js')>();
  return {
    ...real,
    embedParts: (...args: Parameters<typeof real.embedParts>) => {
      const parts = real.embedParts(...args);
      const run = afterWalk.run;
      afterWalk.run = undefined;
      run?.();
      return parts;
    },
  };
});

// Big enough to need several 64 kB copies: a tEXt chunk of filler before IEND.
const SMALL = renderImage({ format: 'png', width: 16, height: 8, quality: 80, key: 'embed-file' }).bytes;
const PNG = Buffer.concat([SMALL.subarray(0, -12), pngChunk('tEXt', Buffer.alloc(200_000, 0x61)), SMALL.subarray(-12)]);
const P: Provenance = {
  generator: 'flux-krea test',
  model: 'flux-1-krea-dev',
  request_id: null,
  created_at: '2026-01-01T00:00:00.000Z',
  prompt: 'a fox',
  seed: 1,
  params: { prompt: 'a fox', seed: 1 },
  image: 1,
};

let root: string;
let dir: string;
let n = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'flux-krea-embed-file-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
afterEach(() => {
  afterWalk.run = undefined;
  vi.restoreAllMocks();
});

async function image(bytes = PNG): Promise<string> {
  dir = join(root, `case-${n++}`);
  await mkdir(dir);
  const path = join(dir, 'a.png');
  await writeFile(path, bytes);
  return path;
}

describe('the file changes between the walk and the copy', () => {
  it('truncated: refused (the caller writes a sidecar), the file left as it is', async () => {
    const path = await image();
    afterWalk.run = () => truncateSync(path, 1000);
    await expect(embedInFile(path, P)).rejects.toBeInstanceOf(EmbedError);
    expect(await readFile(path)).toEqual(PNG.subarray(0, 1000));
    expect(await readdir(dir)).toEqual(['a.png']);
  });

  it('replaced by another file: that file is not overwritten', async () => {
    const path = await image();
    afterWalk.run = () => {
      writeFileSync(join(dir, 'other'), 'someone else');
      renameSync(join(dir, 'other'), path);
    };
    await expect(embedInFile(path, P)).rejects.toThrow(/replaced/);
    expect(await readFile(path, 'utf8')).toBe('someone else');
    expect(await readdir(dir)).toEqual(['a.png']);
  });

  it('its directory removed: an error, nothing written anywhere', async () => {
    const path = await image();
    afterWalk.run = () => rmSync(dir, { recursive: true });
    await expect(embedInFile(path, P)).rejects.toThrow(/ENOENT/);
    expect(await readdir(root)).not.toContain(dir.split('/').pop());
  });
});

it('a read error midway: the error, the file intact, no temp file', async () => {
  const path = await image();
  const handle = await open(path, 'r');
  const proto = Object.getPrototypeOf(handle) as { read: (...a: unknown[]) => Promise<unknown> };
  await handle.close();
  const real = proto.read;
  let calls = 0;
  vi.spyOn(proto, 'read').mockImplementation(function (this: unknown, ...a: unknown[]) {
    if (++calls === 2) return Promise.reject(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' }));
    return real.apply(this, a);
  });
  await expect(embedInFile(path, P)).rejects.toThrow(/EIO/);
  expect(calls).toBe(2);
  expect(await readFile(path)).toEqual(PNG);
  expect(await readdir(dir)).toEqual(['a.png']);
});

it('a write error midway (as on a full disk): the error, the file intact, no temp file', async () => {
  const path = await image();
  const real = fsp.writeFile;
  vi.spyOn(fsp, 'writeFile').mockImplementation(async (file, data, ...rest) => {
    // Writes the first piece for real, then fails as a full disk does.
    const it = (data as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    const first = await it.next();
    await real(file, first.value as Uint8Array, ...(rest as []));
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  });
  await expect(embedInFile(path, P)).rejects.toThrow(/ENOSPC/);
  expect(await readFile(path)).toEqual(PNG);
  expect(await readdir(dir)).toEqual(['a.png']);
});

// A real full disk: a 256 kB tmpfs, where the rewritten file does not fit beside the original.
const canMount = process.platform === 'linux' && process.getuid?.() === 0;
describe.skipIf(!canMount)('a real full disk (tmpfs, as root)', () => {
  let mnt: string | undefined;
  afterAll(() => {
    if (mnt) execFileSync('umount', [mnt]);
  });
  it('ENOSPC: the error, the file intact, no temp file', async (ctx) => {
    const at = await mkdtemp(join(root, 'mnt-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', at], { stdio: 'ignore' });
    } catch {
      ctx.skip(); // a container without CAP_SYS_ADMIN
    }
    mnt = at;
    const path = join(at, 'a.png');
    await writeFile(path, PNG);
    await expect(embedInFile(path, P)).rejects.toThrow(/ENOSPC/);
    expect(await readFile(path)).toEqual(PNG);
    expect(await readdir(at)).toEqual(['a.png']);
  });
});

it('a symlink as the image: refused before anything is read, link and target untouched', async () => {
  const target = await image();
  const link = join(dir, 'link.png');
  await symlink(target, link);
  await expect(embedInFile(link, P)).rejects.toMatchObject({ code: 'ELOOP' });
  expect(await readlink(link)).toBe(target);
  expect(await readFile(target)).toEqual(PNG);
  expect((await readdir(dir)).sort()).toEqual(['a.png', 'link.png']);
});

describe.skipIf(process.platform === 'win32')('a FIFO named like an image', () => {
  it('is not opened for a reader that would wait forever', async () => {
    dir = join(root, `case-${n++}`);
    await mkdir(dir);
    const fifo = join(dir, 'pipe.png');
    execFileSync('mkfifo', [fifo]);
    // Unblocks a hanging open (if the code regresses) so that the test fails instead of hanging.
    const unblock = setTimeout(
      () => void fsp.open(fifo, constants.O_WRONLY | constants.O_NONBLOCK).then((h) => h.close()),
      2000,
    );
    try {
      await expect(extractFromFile(fifo)).rejects.toThrow(/not a regular file/);
      await expect(readProvenance(fifo)).rejects.toThrow(`cannot read ${fifo} (not a regular file)`);
      await expect(embedInFile(fifo, P)).rejects.toThrow(/not a regular file/);
    } finally {
      clearTimeout(unblock);
    }
  });
});
