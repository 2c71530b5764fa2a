import { describe, expect, it } from 'vitest';
import { Budget } from '../../src/core/money/budget.js';
import { formatCredits, parseSpan } from '../../src/core/money/credits.js';
import { estimatePrice, jobEstimate } from '../../src/core/money/price.js';
import { BudgetError, InterruptedError } from '../../src/errors.js';

describe('credits', () => {
  it('formats with 2 to 6 decimals and no float noise', () => {
    expect(formatCredits(0.1 + 0.2)).toBe('0.30');
    expect(formatCredits(41.3)).toBe('41.30');
    expect(formatCredits(0.0125)).toBe('0.0125');
    expect(formatCredits(0)).toBe('0.00');
  });
  it('parses spans', () => {
    expect(parseSpan('7d')).toBe(7 * 86_400_000);
    expect(parseSpan('12h')).toBe(12 * 3_600_000);
    expect(parseSpan('2w')).toBe(14 * 86_400_000);
    expect(parseSpan('7')).toBeUndefined();
    expect(parseSpan('0d')).toBeUndefined();
  });
});

describe('estimatePrice', () => {
  it('takes the highest cost per image of recent jobs, skipping jobs without a cost', () => {
    const jobs = [{ cost: 0.02, asked: 2 }, { asked: 1 }, { cost: 0.045, asked: 3 }, { cost: 0.01, asked: 1 }];
    expect(estimatePrice(jobs)).toEqual({ perImage: 0.015, jobs: 3 });
    expect(jobEstimate(estimatePrice(jobs), 4)).toBe(0.06);
  });
  it('looks only at the newest priced jobs', () => {
    const jobs = [
      { cost: 0.01, asked: 1 },
      { cost: 0.01, asked: 1 },
      { cost: 0.5, asked: 1 },
    ];
    expect(estimatePrice(jobs, 2)).toEqual({ perImage: 0.01, jobs: 2 });
  });
  it('is unknown without a priced job', () => {
    expect(estimatePrice([{ asked: 2 }, { cost: 0.02 }, { cost: -1, asked: 1 }])).toBeUndefined();
    expect(jobEstimate(undefined, 2)).toBeUndefined();
  });
});

describe('Budget --max-cost', () => {
  it('admits jobs while spent + in flight + estimate fits, then stops with the numbers', () => {
    const b = new Budget({ maxCost: 0.05, price: { perImage: 0.01, jobs: 3 } });
    const a = b.admit(2);
    return a.then(async (t1) => {
      const t2 = await b.admit(2); // 0.02 in flight + 0.02 = 0.04 ≤ 0.05
      const stop = await b.admit(2).catch((e: unknown) => e);
      expect(stop).toBeInstanceOf(BudgetError);
      expect(stop).toMatchObject({ kind: 'credits', limit: 'max-cost', spent: 0, estimate: 0.02, left: 0.01 });
      b.settle(t1, { cost: 0.02 });
      b.settle(t2, { cost: 0.02 });
      expect(b.spent).toBe(0.04);
      // One image (0.01) still fits exactly; float sums do not refuse it.
      await expect(b.admit(1)).resolves.toBeDefined();
    });
  });

  it('before a price is known runs one job at a time, then learns it', async () => {
    const b = new Budget({ maxCost: 0.1 });
    const first = await b.admit(1);
    let second = false;
    const waiting = b.admit(1).then((t) => {
      second = true;
      return t;
    });
    await new Promise((r) => setImmediate(r));
    expect(second).toBe(false);
    b.settle(first, { cost: 0.03 });
    await waiting;
    expect(second).toBe(true);
    expect(b.price).toBe(0.03);
    expect(b.estimate(2)).toBe(0.06);
  });

  it('a cost that jumps re-prices the jobs in flight at the new, higher price', async () => {
    const b = new Budget({ maxCost: 0.1, price: { perImage: 0.01, jobs: 1 } });
    const t1 = await b.admit(2);
    const t2 = await b.admit(2);
    b.settle(t1, { cost: 0.06 }); // now 0.03 an image; t2 in flight counts 0.06
    // 0.06 spent + 0.06 in flight + 0.03 > 0.1
    await expect(b.admit(1)).rejects.toMatchObject({ limit: 'max-cost', spent: 0.06, estimate: 0.03 });
    b.settle(t2, { cost: 0.02 });
    // Spent 0.08; the highest price (0.03) stays the estimate: 0.08 + 0.03 > 0.1.
    await expect(b.admit(1)).rejects.toMatchObject({ spent: 0.08, estimate: 0.03 });
  });

  it('a result without a cost counts at the estimate when a price is known, and stops a blind run when none is', async () => {
    const known = new Budget({ maxCost: 0.1, price: { perImage: 0.02, jobs: 1 } });
    known.settle(await known.admit(2), {});
    expect(known.spent).toBe(0.04);

    const blind = new Budget({ maxCost: 0.1 });
    blind.settle(await blind.admit(1), {});
    await expect(blind.admit(1)).rejects.toMatchObject({ limit: 'unknown-cost' });
  });

  it('a released job (never billed) frees its share', async () => {
    const b = new Budget({ maxCost: 0.02, price: { perImage: 0.01, jobs: 1 } });
    const t = await b.admit(2);
    await expect(b.admit(1)).rejects.toBeInstanceOf(BudgetError);
    b.release(t);
    await expect(b.admit(2)).resolves.toBeDefined();
  });

  it('a wait is cut by the signal', async () => {
    const b = new Budget({ maxCost: 1 });
    await b.admit(1);
    const ac = new AbortController();
    const waiting = b.admit(1, ac.signal);
    ac.abort();
    await expect(waiting).rejects.toBeInstanceOf(InterruptedError);
  });
});

describe('Budget balance', () => {
  it('never admits a job the balance cannot cover, and follows remaining_credits', async () => {
    const b = new Budget({ balance: 0.05, price: { perImage: 0.02, jobs: 1 } });
    const t1 = await b.admit(1);
    const t2 = await b.admit(1);
    await expect(b.admit(1)).rejects.toMatchObject({ limit: 'balance', left: 0.01, balance: 0.05 });
    b.settle(t1, { cost: 0.02, remainingCredits: 1 }); // topped up meanwhile
    expect(b.balanceLeft).toBe(1);
    await expect(b.admit(1)).resolves.toBeDefined();
    b.settle(t2, { cost: 0.02 });
    expect(b.balanceLeft).toBe(0.98);
  });

  it('without a budget or a balance nothing limits or waits', async () => {
    const b = new Budget();
    await b.admit(4);
    await expect(b.admit(4)).resolves.toBeDefined();
  });
});
