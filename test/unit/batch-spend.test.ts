import { describe, expect, it } from 'vitest';
import { batchSpend, budgetFor, imagesToSubmit, leftToPay } from '../../src/core/batch/spend.js';
import type { PlannedEntry } from '../../src/core/batch/plan.js';
import type { EntryResult } from '../../src/core/batch/run-entry.js';

const plan = (key: string, images: number, action: PlannedEntry['action'] = 'submit') =>
  ({ entry: { key, params: { num_outputs: images } }, action }) as unknown as PlannedEntry;
const result = (key: string, status: EntryResult['status'], more: Partial<EntryResult> = {}): EntryResult => ({
  key,
  line: 1,
  status,
  seed: 1,
  files: [],
  ...more,
});

describe('batch spend', () => {
  it('counts only what this run paid: not jobs fetched by id, not skipped entries; the lowest balance is the latest', () => {
    const s = batchSpend([
      result('a', 'done', { cost: 0.02, remainingCredits: 9.98 }),
      result('b', 'done', { cost: 0.04, remainingCredits: 9.94, resumed: true }),
      result('c', 'skipped', { cost: 0.01 }),
      result('d', 'done', { remainingCredits: 9.9 }),
      result('e', 'done', { cost: 0.1 + 0.2 }),
    ]);
    expect(s).toEqual({ cost: 0.32, unpriced: 1, remaining: 9.9 });
    expect(batchSpend([result('a', 'skipped')])).toEqual({ cost: undefined, unpriced: 0, remaining: undefined });
  });

  it('what is left: entries not done or skipped, their images and estimate', () => {
    const plans = [plan('a', 2), plan('b', 4), plan('c', 1, 'resume'), plan('d', 3, 'skip')];
    expect(imagesToSubmit(plans)).toBe(6);
    const results = [result('a', 'done'), result('b', 'not-run'), result('c', 'failed'), result('d', 'skipped')];
    expect(leftToPay(results, plans, { perImage: 0.015, jobs: 1 })).toEqual({ entries: 2, images: 5, estimate: 0.075 });
    expect(leftToPay(results, plans, undefined).estimate).toBeUndefined();
  });

  it('a budget for what is left is rounded up to a hundredth, never down', () => {
    expect(budgetFor(0.075)).toBe(0.08);
    expect(budgetFor(0.02)).toBe(0.02);
    expect(budgetFor(0.1 + 0.2)).toBe(0.3);
  });
});
