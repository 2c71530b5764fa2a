/** What the commands share about money: the run's budget from the journal's prices, and how spending reads. */
import { Budget } from '../../core/money/budget.js';
import { formatCredits } from '../../core/money/credits.js';
import { journalPrice } from '../../core/money/price.js';
import type { Journal } from '../../store/journal.js';

/** A budget of `maxCost` (none: only the balance, when given, limits), priced from the journal's recent jobs. */
export async function runBudget(maxCost: number | undefined, journal: Journal, balance?: number): Promise<Budget> {
  return new Budget({ maxCost, balance, price: journalPrice(await journal.list()) });
}

/** "0.02 credits · 99.98 left": the parts of a summary line that say what a run cost, when known. */
export function spendParts(cost: number | undefined, remaining: number | undefined): string[] {
  return [
    ...(cost !== undefined ? [`${formatCredits(cost)} credits`] : []),
    ...(remaining !== undefined ? [`${formatCredits(remaining)} left`] : []),
  ];
}
