import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LockFile, RACY_MARGIN_MS, unchangedBySizeAndMtime, type LockRecord } from '../../src/store/lock.js';
import { planEntries } from '../../src/core/batch/plan.js';
import type { BatchEntry } from '../../src/core/batch/entries.js';
import type { ResolvedParams } from '../../src/params/schema.js';
import { UsageError } from '../../src/errors.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flux-krea-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const record = (over: Partial<LockRecord> = {}): LockRecord => ({
  hash: 'h1',
  state: 'done',
  request_id: 'r1',
  params: { seed: 1, prompt: 'p' },
  files: [],
  ...over,
});

describe('the lock file', () => {
  it('round-trips; keys sorted at every depth; byte-identical when nothing changed; no temp files left', async () => {
    const path = join(dir, 'm.jsonl.lock.json');
    const lock = await LockFile.load(path, 'flux-krea-dev');
    await lock.set('zeta', record({ params: { seed: 2, prompt: 'z' } }));
    await lock.set('alpha', record());
    await lock.close();
    const text = await readFile(path, 'utf8');
    expect(Object.keys(JSON.parse(text).entries)).toEqual(['alpha', 'zeta']);
    expect(text.indexOf('"prompt"')).toBeLessThan(text.indexOf('"seed"'));
    const again = await LockFile.load(path, 'flux-krea-dev');
    expect(again.get('alpha')).toEqual(record());
    await again.save();
    expect(await readFile(path, 'utf8')).toBe(text);
    expect(await readdir(dir)).toEqual(['m.jsonl.lock.json']);
  });

  it('concurrent updates all land', async () => {
    const path = join(dir, 'l.json');
    const lock = await LockFile.load(path, 'm');
    await Promise.all(Array.from({ length: 20 }, (_, i) => lock.set(`k${i}`, record())));
    // Before close, the records are on disk in the log: a crash here loses none.
    expect((await LockFile.load(path, 'm')).keys()).toHaveLength(20);
    await lock.close();
    expect(Object.keys(JSON.parse(await readFile(path, 'utf8')).entries)).toHaveLength(20);
  });

  it('set appends one line to the log; close folds it into the lock and removes it', async () => {
    const path = join(dir, 'l.json');
    const lock = await LockFile.load(path, 'm');
    await lock.set('a', record({ state: 'submitted', request_id: 'paid-1' }));
    // The request id is durable as soon as set resolves, before any lock rewrite.
    expect(await readdir(dir)).toEqual(['l.json.log']);
    expect(
      (await readFile(`${path}.log`, 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([{ key: 'a', record: record({ state: 'submitted', request_id: 'paid-1' }) }]);
    await lock.set('a', record());
    await lock.close();
    expect(await readdir(dir)).toEqual(['l.json']);
    expect(JSON.parse(await readFile(path, 'utf8')).entries).toEqual({ a: record() });
    // Nothing logged since: close writes nothing.
    await writeFile(path, 'sentinel');
    await lock.close();
    expect(await readFile(path, 'utf8')).toBe('sentinel');
  });

  it('a log left by a crash is replayed over the lock, a cut-off last line dropped; the next write folds it in', async () => {
    const path = join(dir, 'l.json');
    const first = await LockFile.load(path, 'm');
    await first.set('a', record({ hash: 'old' }));
    await first.close();
    // A crashed run: records appended, the lock never rewritten, the last append torn.
    const line = (key: string, r: LockRecord) => `${JSON.stringify({ key, record: r })}\n`;
    await writeFile(
      `${path}.log`,
      line('a', record({ hash: 'new' })) +
        line('b', record({ state: 'submitted', request_id: 'r2' })) +
        '{"key":"c","rec',
    );
    const again = await LockFile.load(path, 'm');
    expect(again.get('a')?.hash).toBe('new');
    expect(again.get('b')).toMatchObject({ state: 'submitted', request_id: 'r2' });
    expect(again.get('c')).toBeUndefined();
    // Loading alone (a dry run) writes nothing.
    expect(JSON.parse(await readFile(path, 'utf8')).entries.a.hash).toBe('old');
    await again.save();
    expect(await readdir(dir)).toEqual(['l.json']);
    expect(Object.keys(JSON.parse(await readFile(path, 'utf8')).entries)).toEqual(['a', 'b']);
  });

  it('a damaged line before the end of the log stops the batch', async () => {
    const path = join(dir, 'l.json');
    await writeFile(
      `${path}.log`,
      'garbage\n{"key":"a","record":{"hash":"h","state":"done","params":{},"files":[]}}\n',
    );
    await expect(LockFile.load(path, 'm')).rejects.toThrow(/l\.json\.log cannot be used: line 1/);
  });

  it('rewrites the lock only as the log outgrows it: bytes written stay linear in the entries', async () => {
    const path = join(dir, 'l.json');
    const lock = await LockFile.load(path, 'm');
    const { existsSync, statSync } = await import('node:fs');
    let lockWrites = 0;
    let lockBytes = 0;
    const n = 1500;
    for (let i = 0; i < n; i++) {
      await lock.set(`key-${i}`, record({ params: { seed: i, prompt: `prompt number ${i}` } }));
      // A rewrite removes the log: count them by watching it disappear.
      if (!existsSync(`${path}.log`)) {
        lockWrites++;
        lockBytes += statSync(path).size;
      }
    }
    await lock.close();
    const final = statSync(path).size;
    // A geometric series: a handful of rewrites, not one per entry, and their bytes within
    // twice the final lock.
    expect(lockWrites).toBeGreaterThan(1);
    expect(lockWrites).toBeLessThan(10);
    expect(lockBytes).toBeLessThan(2 * final);
    expect(Object.keys(JSON.parse(await readFile(path, 'utf8')).entries)).toHaveLength(n);
  });

  it('a damaged lock stops the batch with a usage error instead of paying for everything again', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(path, '{"flux-krea-lock": 1, "entries": ');
    await expect(LockFile.load(path, 'm')).rejects.toThrow(UsageError);
    await writeFile(path, '{"flux-krea-lock": 99, "entries": {}}');
    await expect(LockFile.load(path, 'm')).rejects.toThrow(/version 99/);
  });

  it('files are intact only with the recorded size and sha256; paths are relative with /', async () => {
    const lock = await LockFile.load(join(dir, 'l.json'), 'm');
    const img = join(dir, 'out', 'a.png');
    await writeFile(join(dir, 'x'), '');
    await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'out')));
    await writeFile(img, 'image bytes');
    const f = (await lock.describeFile(img))!;
    expect(f).toMatchObject({ path: 'out/a.png', bytes: 11 });
    expect(await lock.intact(record({ files: [f] }), join(dir, 'out'))).toBe(true);
    // Outside the entry's directory: never intact, never read.
    expect(await lock.intact(record({ files: [f] }), join(dir, 'elsewhere'))).toBe(false);
    await writeFile(img, 'image bytez');
    expect(await lock.intact(record({ files: [f] }), join(dir, 'out'))).toBe(false);
    await rm(img);
    expect(await lock.intact(record({ files: [f] }), join(dir, 'out'))).toBe(false);
    expect(await lock.intact(record({ files: [] }), join(dir, 'out'))).toBe(false);
  });

  it('the fast check: size and mtime equal to the record and older than the lock by the racy margin (2 s for whole-second clocks)', () => {
    const f = { path: 'a.png', bytes: 10, sha256: 'x', mtime_ms: 1_000_000 };
    const lockAt = 1_000_000 + RACY_MARGIN_MS + 1;
    expect(unchangedBySizeAndMtime(f, { size: 10, mtimeMs: 1_000_000.7 }, lockAt)).toBe(true);
    expect(unchangedBySizeAndMtime(f, { size: 11, mtimeMs: 1_000_000 }, lockAt)).toBe(false);
    expect(unchangedBySizeAndMtime(f, { size: 10, mtimeMs: 1_000_001 }, lockAt)).toBe(false);
    // Written within the margin of the lock (or after it): could have changed in the same tick.
    expect(unchangedBySizeAndMtime(f, { size: 10, mtimeMs: 1_000_000 }, lockAt - 1)).toBe(false);
    expect(unchangedBySizeAndMtime(f, { size: 10, mtimeMs: 1_000_000 }, undefined)).toBe(false);
    expect(unchangedBySizeAndMtime({ ...f, mtime_ms: undefined }, { size: 10, mtimeMs: 1_000_000 }, lockAt)).toBe(
      false,
    );
    // An mtime with milliseconds comes from a fine-grained clock: a tenth of a second is margin enough.
    const fine = { ...f, mtime_ms: 1_000_123 };
    expect(unchangedBySizeAndMtime(fine, { size: 10, mtimeMs: 1_000_123.4 }, 1_000_123 + 101)).toBe(true);
    expect(unchangedBySizeAndMtime(fine, { size: 10, mtimeMs: 1_000_123.4 }, 1_000_123 + 99)).toBe(false);
  });

  it('an unchanged rerun reads no image: size + mtime decide; sha256 when they differ or with verify', async () => {
    const path = join(dir, 'l.json');
    await mkdir(join(dir, 'out'));
    const img = join(dir, 'out', 'a.png');
    await writeFile(img, 'image bytes');
    const old = new Date(Date.now() - 60_000);
    await utimes(img, old, old);
    const first = await LockFile.load(path, 'm');
    const f = (await first.describeFile(img))!;
    expect(f.mtime_ms).toBe(Math.floor((await stat(img)).mtimeMs));
    await first.set('a', record({ files: [f] }));
    await first.close();
    // Same size, same mtime, other bytes: only a read could tell, and the fast check does not read.
    await writeFile(img, 'image bytez');
    await utimes(img, old, old);
    const lock = await LockFile.load(path, 'm');
    expect(await lock.intact(record({ files: [f] }), join(dir, 'out'))).toBe(true);
    expect(await lock.intact(record({ files: [f] }), join(dir, 'out'), { verify: true })).toBe(false);
    // Another mtime over the same bytes (a copy, a clone): hashed, and intact.
    await writeFile(img, 'image bytes');
    expect(await lock.intact(record({ files: [f] }), join(dir, 'out'))).toBe(true);
    await writeFile(img, 'image bytez');
    expect(await lock.intact(record({ files: [f] }), join(dir, 'out'))).toBe(false);
  });

  it('prune drops keys no longer in the manifest', async () => {
    const lock = await LockFile.load(join(dir, 'l.json'), 'm');
    await lock.set('a', record());
    await lock.set('b', record());
    expect(lock.prune((k) => k === 'a')).toBe(true);
    expect(lock.keys()).toEqual(['a']);
    expect(lock.prune((k) => k === 'a')).toBe(false);
  });
});

describe('planning against the lock', () => {
  const entry = (key: string, prompt: string): BatchEntry => ({
    line: 1,
    key,
    params: { prompt, seed: 5, num_outputs: 1 } as ResolvedParams,
    seedSource: 'derived',
  });

  it('skip when unchanged and intact; resume a submitted job; submit when changed, failed or forced', async () => {
    const lock = await LockFile.load(join(dir, 'l.json'), 'm');
    const out = join(dir, 'out');
    const [first] = await planEntries([entry('a', 'x')], { lock, baseOut: out, force: false });
    expect(first!.action).toBe('submit');
    await import('node:fs/promises').then((fs) => fs.mkdir(out));
    await writeFile(join(out, 'a.jpg'), 'img');
    await lock.set('a', record({ hash: first!.hash, files: [(await lock.describeFile(join(out, 'a.jpg')))!] }));
    const plan = async (e: BatchEntry, force = false) =>
      (await planEntries([e], { lock, baseOut: out, force }))[0]!.action;
    expect(await plan(entry('a', 'x'))).toBe('skip');
    expect(await plan(entry('a', 'x'), true)).toBe('submit');
    expect(await plan(entry('a', 'changed'))).toBe('submit');
    // Output elsewhere is a change too.
    expect((await planEntries([entry('a', 'x')], { lock, baseOut: join(dir, 'other'), force: false }))[0]!.action).toBe(
      'submit',
    );
    await writeFile(join(out, 'a.jpg'), 'edited');
    expect(await plan(entry('a', 'x'))).toBe('resume');
    await lock.set('a', record({ hash: first!.hash, state: 'submitted', request_id: 'r9' }));
    expect(await plan(entry('a', 'x'), true)).toBe('resume');
    await lock.set('a', record({ hash: first!.hash, state: 'failed' }));
    expect(await plan(entry('a', 'x'))).toBe('submit');
  });
});
