import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, writeFile, appendFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal, fold, jobsToKeep, type JournalEntry } from '../../src/store/journal.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'journal-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Journal', () => {
  it('records jobs and folds updates, newest first, file mode 0600', async () => {
    const j = new Journal(dir);
    await j.record({ id: 'a', createdAt: '2026-01-01T00:00:00Z', state: 'submitted', prompt: 'one', outDir: 'o' });
    await j.record({ id: 'b', createdAt: '2026-01-02T00:00:00Z', state: 'submitted', prompt: 'two' });
    await j.record({ id: 'a', state: 'saved', files: ['o/1.png'] });
    const list = await j.list();
    expect(list.map((e) => [e.id, e.state])).toEqual([
      ['b', 'submitted'],
      ['a', 'saved'],
    ]);
    expect(list[1]).toMatchObject({ prompt: 'one', outDir: 'o', files: ['o/1.png'] });
    expect((await stat(j.path)).mode & 0o777).toBe(0o600);
  });

  it('parallel records never lose a line', async () => {
    const j = new Journal(dir);
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        j.record({ id: `job-${i}`, createdAt: new Date(i * 1000).toISOString(), state: 'submitted' }),
      ),
    );
    expect(await j.list()).toHaveLength(50);
  });

  it('a corrupt journal is reported, set aside and rebuilt from its good lines; never fatal', async () => {
    const warnings: string[] = [];
    const j = new Journal(dir, (m) => warnings.push(m));
    await j.record({ id: 'good', createdAt: '2026-01-01T00:00:00Z', state: 'submitted' });
    await appendFile(j.path, '{"id": "torn", "sta\nnot json at all\n');
    const list = await j.list();
    expect(list.map((e) => e.id)).toEqual(['good']);
    expect(warnings[0]).toMatch(/2 unreadable line/);
    const files = await readdir(dir);
    expect(files.some((f) => f.startsWith('jobs.jsonl.corrupt-'))).toBe(true);
    expect((await readFile(j.path, 'utf8')).trim().split('\n')).toHaveLength(1);
    // And the next read is clean.
    warnings.length = 0;
    await j.list();
    expect(warnings).toEqual([]);
  });

  it('an unterminated last line is an append in progress, not corruption; a torn line never swallows the next record', async () => {
    const warnings: string[] = [];
    const j = new Journal(dir, (m) => warnings.push(m));
    await j.record({ id: 'a', createdAt: '2026-01-01T00:00:00Z', state: 'submitted' });
    await appendFile(j.path, '{"id": "b", "sta');
    expect((await j.list()).map((e) => e.id)).toEqual(['a']);
    expect(warnings).toEqual([]);
    // The writer crashed; the next record still lands whole.
    await j.record({ id: 'c', createdAt: '2026-01-03T00:00:00Z', state: 'submitted' });
    expect((await j.list()).map((e) => e.id)).toEqual(['c', 'a']);
    expect(warnings[0]).toMatch(/1 unreadable line/);
  });

  it('an unwritable journal warns and does not throw', async () => {
    await writeFile(join(dir, 'blocker'), 'x');
    const warnings: string[] = [];
    const j = new Journal(join(dir, 'blocker', 'sub'), (m) => warnings.push(m));
    await expect(j.record({ id: 'x', state: 'submitted' })).resolves.toBeUndefined();
    expect(warnings).toHaveLength(1);
  });

  it('fold keeps the first creation time and merges file lists', () => {
    const out = fold([
      { id: 'a', createdAt: 't1', state: 'submitted', at: 't1' },
      { id: 'a', state: 'partial', files: ['1'], at: 't2' },
      { id: 'a', state: 'saved', files: ['2'], at: 't3' },
    ]);
    expect(out).toEqual([{ id: 'a', createdAt: 't1', updatedAt: 't3', state: 'saved', files: ['1', '2'] }]);
  });
});

describe('recentRunTimes (the poll schedule learns from it)', () => {
  it('gives the run times of the newest jobs that have one, newest first, at most `limit`', async () => {
    const j = new Journal(dir);
    for (let i = 0; i < 5; i++) {
      await j.record({
        id: `job-${i}`,
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
        state: 'submitted',
      });
      if (i !== 2) await j.record({ id: `job-${i}`, runMs: 1000 * (i + 1) });
    }
    expect(await j.recentRunTimes()).toEqual([5000, 4000, 2000, 1000]);
    expect(await j.recentRunTimes(2)).toEqual([5000, 4000]);
    expect(await new Journal(join(dir, 'none')).recentRunTimes()).toEqual([]);
  });
});

describe('Journal bounds (issue 18)', () => {
  it('a compaction keeps the newest jobs and every job Segmind still holds that is not saved yet', () => {
    const now = Date.parse('2026-06-01T12:00:00Z');
    const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
    const jobs = [
      { id: 'new-saved', createdAt: at(1), updatedAt: at(1), state: 'saved' },
      { id: 'new-submitted', createdAt: at(2), updatedAt: at(2), state: 'submitted' },
      { id: 'old-saved', createdAt: at(30), updatedAt: at(30), state: 'saved' },
      { id: 'unsaved-in-retention', createdAt: at(59), updatedAt: at(59), state: 'submitted' },
      { id: 'partial-in-retention', createdAt: at(50), updatedAt: at(50), state: 'partial' },
      { id: 'sync-unsaved', createdAt: at(40), updatedAt: at(40), state: 'submitted', mode: 'sync' },
      { id: 'expired-unsaved', createdAt: at(61), updatedAt: at(61), state: 'submitted' },
    ] as JournalEntry[];
    expect(jobsToKeep(jobs, 2, now).map((j) => j.id)).toEqual([
      'new-saved',
      'new-submitted',
      'unsaved-in-retention',
      'partial-in-retention',
    ]);
  });

  it('stays bounded while only written to (a long batch), without losing an unsaved job', async () => {
    const j = new Journal(dir, undefined, { compactLines: 40, keepJobs: 10 });
    const unsaved = { id: 'paid-not-saved', createdAt: new Date().toISOString(), state: 'submitted' as const };
    await j.record(unsaved);
    let largest = 0;
    for (let i = 0; i < 1200; i++) {
      await j.record({
        id: `job-${i}`,
        createdAt: new Date(Date.now() + i).toISOString(),
        state: 'saved',
        prompt: 'x'.repeat(200),
      });
      largest = Math.max(largest, (await stat(j.path)).size);
    }
    // 1,200 records of ~300 bytes would be 360 kB; the check runs every 256 records past 40 kB.
    expect(largest).toBeLessThan(120_000);
    const jobs = await j.list();
    expect(jobs.find((x) => x.id === 'paid-not-saved')).toMatchObject({ state: 'submitted' });
    expect(jobs[0]!.id).toBe('job-1199');
  });
});
