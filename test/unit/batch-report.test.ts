import { describe, expect, it } from 'vitest';
import { batchExitCode, batchSummary, entryJson } from '../../src/commands/shared/batch-report.js';
import { batchSpend } from '../../src/core/batch/spend.js';
import type { EntryResult } from '../../src/core/batch/run-entry.js';
import type { ErrorKind } from '../../src/errors.js';

const ok = (key: string): EntryResult => ({ key, line: 1, status: 'done', seed: 1, files: [] });
const failed = (kind: ErrorKind): EntryResult => ({
  key: kind,
  line: 2,
  status: kind === 'interrupted' ? 'interrupted' : 'failed',
  seed: 1,
  files: [],
  error: { kind, message: kind },
});

describe('the batch exit code', () => {
  it.each([
    [[ok('a'), { ...ok('b'), status: 'skipped' as const }], 0],
    [[ok('a'), failed('job-failed')], 6],
    [[failed('job-failed'), failed('deadline')], 7],
    [[failed('job-failed'), failed('network')], 1],
    [[failed('network'), failed('rate-limit')], 5],
    [[failed('rate-limit'), failed('credits')], 4],
    [[failed('credits'), failed('auth')], 3],
    [[failed('auth'), failed('interrupted')], 130],
    [[ok('a'), { ...ok('b'), status: 'not-run' as const }], 1],
  ] as [EntryResult[], number][])('%#: %j → %i', (results, code) => {
    expect(batchExitCode(results)).toBe(code);
  });

  it('Ctrl-C wins even when nothing had started', () => {
    expect(batchExitCode([{ ...ok('a'), status: 'not-run' }], true)).toBe(130);
  });

  it('--json: a line per entry, and a summary with the counts, the spend and the budget', () => {
    expect(entryJson(failed('job-failed'), (p) => `out/${p}`)).toEqual({
      type: 'entry',
      key: 'job-failed',
      line: 2,
      status: 'failed',
      request_id: null,
      seed: 1,
      resumed: false,
      files: [],
      cost: null,
      remaining_credits: null,
      error: { kind: 'job-failed', message: 'job-failed' },
    });
    const paid = [
      { ...ok('a'), cost: 0.1 },
      { ...ok('b'), cost: 0.2, remainingCredits: 9.7 },
      { ...ok('c'), resumed: true, cost: 5 },
      failed('job-failed'),
    ];
    const s = batchSummary({
      manifest: 'm',
      lock: 'm.lock.json',
      results: paid,
      exitCode: 6,
      elapsedMs: 1234,
      submits: 3,
      spend: batchSpend(paid),
      maxCost: 1,
    });
    expect(s).toMatchObject({
      type: 'summary',
      status: 'failed',
      exit_code: 6,
      shard: null,
      submits: 3,
      elapsed_s: 1.2,
      counts: { total: 4, done: 3, failed: 1, stale: 0 },
      cost: 0.3,
      remaining_credits: 9.7,
      gallery: null,
      budget: { max_cost: 1, stopped_by: null },
    });
    expect(
      batchSummary({
        manifest: 'm',
        lock: 'l',
        results: [{ ...ok('a'), status: 'stale', reason: 'new entry' }],
        exitCode: 8,
        elapsedMs: 0,
        submits: 0,
      }),
    ).toMatchObject({ status: 'stale', counts: { stale: 1 }, cost: null });
  });
});
