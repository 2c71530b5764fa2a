import { describe, expect, it } from 'vitest';
import { batchExitCode, batchReport } from '../../src/commands/shared/batch-report.js';
import type { EntryResult } from '../../src/core/batch/run-entry.js';
import type { ErrorKind } from '../../src/errors.js';

const ok = (key: string): EntryResult => ({ key, line: 1, status: 'done', seed: 1, files: [] });
const failed = (kind: ErrorKind): EntryResult => ({ key: kind, line: 2, status: kind === 'interrupted' ? 'interrupted' : 'failed', seed: 1, files: [], error: { kind, message: kind } });

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

  it('the --json report has one object per entry', () => {
    const r = batchReport({ manifest: 'm', lock: 'm.lock.json', results: [ok('a'), failed('job-failed')], elapsedMs: 1234, submits: 2, displayPath: (p) => `out/${p}` });
    expect(r).toMatchObject({ status: 'failed', exit_code: 6, shard: null, submits: 2, elapsed_s: 1.2, counts: { total: 2, done: 1, failed: 1 } });
    expect((r.entries as unknown[])[1]).toEqual({ key: 'job-failed', line: 2, status: 'failed', request_id: null, seed: 1, resumed: false, cost: null, remaining_credits: null, files: [], error: { kind: 'job-failed', message: 'job-failed' } });
  });
});
