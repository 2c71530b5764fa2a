import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LockFile, type LockRecord } from '../../src/store/lock.js';
import { planEntries } from '../../src/core/batch/plan.js';
import type { BatchEntry } from '../../src/core/batch/entries.js';
import type { ResolvedParams } from '../../src/params/schema.js';
import { UsageError } from '../../src/errors.js';

let dir: string;
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'flux-krea-lock-')); });
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

const record = (over: Partial<LockRecord> = {}): LockRecord => ({ hash: 'h1', state: 'done', request_id: 'r1', params: { seed: 1, prompt: 'p' }, files: [], ...over });

describe('the lock file', () => {
  it('round-trips; keys sorted at every depth; byte-identical when nothing changed; no temp files left', async () => {
    const path = join(dir, 'm.jsonl.lock.json');
    const lock = await LockFile.load(path, 'flux-krea-dev');
    await lock.set('zeta', record({ params: { seed: 2, prompt: 'z' } }));
    await lock.set('alpha', record());
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
    expect(Object.keys(JSON.parse(await readFile(path, 'utf8')).entries)).toHaveLength(20);
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
    expect(await lock.intact(record({ files: [f] }))).toBe(true);
    await writeFile(img, 'image bytez');
    expect(await lock.intact(record({ files: [f] }))).toBe(false);
    await rm(img);
    expect(await lock.intact(record({ files: [f] }))).toBe(false);
    expect(await lock.intact(record({ files: [] }))).toBe(false);
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
  const entry = (key: string, prompt: string): BatchEntry => ({ line: 1, key, params: { prompt, seed: 5, num_outputs: 1 } as ResolvedParams, seedSource: 'derived' });

  it('skip when unchanged and intact; resume a submitted job; submit when changed, failed or forced', async () => {
    const lock = await LockFile.load(join(dir, 'l.json'), 'm');
    const out = join(dir, 'out');
    const [first] = await planEntries([entry('a', 'x')], { lock, baseOut: out, force: false });
    expect(first!.action).toBe('submit');
    await import('node:fs/promises').then((fs) => fs.mkdir(out));
    await writeFile(join(out, 'a.jpg'), 'img');
    await lock.set('a', record({ hash: first!.hash, files: [(await lock.describeFile(join(out, 'a.jpg')))!] }));
    const plan = async (e: BatchEntry, force = false) => (await planEntries([e], { lock, baseOut: out, force }))[0]!.action;
    expect(await plan(entry('a', 'x'))).toBe('skip');
    expect(await plan(entry('a', 'x'), true)).toBe('submit');
    expect(await plan(entry('a', 'changed'))).toBe('submit');
    // Output elsewhere is a change too.
    expect((await planEntries([entry('a', 'x')], { lock, baseOut: join(dir, 'other'), force: false }))[0]!.action).toBe('submit');
    await writeFile(join(out, 'a.jpg'), 'edited');
    expect(await plan(entry('a', 'x'))).toBe('resume');
    await lock.set('a', record({ hash: first!.hash, state: 'submitted', request_id: 'r9' }));
    expect(await plan(entry('a', 'x'), true)).toBe('resume');
    await lock.set('a', record({ hash: first!.hash, state: 'failed' }));
    expect(await plan(entry('a', 'x'))).toBe('submit');
  });
});
