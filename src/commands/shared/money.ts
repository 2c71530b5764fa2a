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

/**
 * Before any job has reported a price, --max-cost cannot hold the first job back: its cost is
 * learnt only when it ends. Said before it is paid for, so that nobody takes the budget for a
 * ceiling on that job.
 */
export function unpricedBudgetWarning(budget: Budget | undefined): string | undefined {
  if (budget?.maxCost === undefined || budget.price !== undefined) return undefined;
  return `--max-cost ${formatCredits(budget.maxCost)}: no job in the journal has reported a price yet, so the first job's cost is unknown until it ends and may exceed the budget; later jobs are held to it.`;
}

/** After the run: what it spent, when that is more than --max-cost (only an unpriced first job or a price rise can do it). */
export function overBudgetWarning(budget: Budget | undefined): string | undefined {
  if (budget?.maxCost === undefined || budget.spent <= budget.maxCost + 1e-9) return undefined;
  return `This run spent ${formatCredits(budget.spent)} credits, more than --max-cost ${formatCredits(budget.maxCost)}: the price was not known (or rose) when a job was submitted.`;
}
