/**
 * Compaction against concurrent appends (issue 12, item 4): several journals on one file, as
 * several processes would have, one compacting again and again while the others record jobs.
 * Every await is a point where the others run, so the interleavings vary; no record may be lost.
 */
import { describe, expect, it } from 'vitest';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal } from '../../src/store/journal.js';

describe('journal compaction', () => {
  it('never loses a record appended while another process compacts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flux-krea-journal-race-'));
    const limits = { compactLines: 20, keepJobs: 100_000 };
    const compactor = new Journal(dir, undefined, limits);
    const writers = Array.from({ length: 4 }, () => new Journal(dir, undefined, limits));
    let writing = true;
    const compacting = (async () => {
      while (writing) await compactor.list();
    })();
    await Promise.all(
      writers.map(async (w, n) => {
        for (let i = 0; i < 60; i++) {
          const id = `job-${n}-${i}`;
          await w.record({ id, createdAt: new Date().toISOString(), state: 'submitted' });
          await w.record({ id, state: 'saved', files: [`${id}.png`] });
        }
      }),
    );
    writing = false;
    await compacting;
    const jobs = await compactor.list();
    expect(jobs).toHaveLength(240);
    // The later event of each job wins, even when a compaction carried the earlier one over late.
    expect(jobs.filter((j) => j.state !== 'saved')).toEqual([]);
    expect((await readdir(dir)).filter((f) => f !== 'jobs.jsonl')).toEqual([]);
  });
});
