/**
 * What a batch run spent and what is left to pay for (issue 14). Pure: the report, the summary
 * and the budget stop's "continue with" all read these numbers.
 */
import { roundCredits } from '../money/credits.js';
import { jobEstimate, type PriceEstimate } from '../money/price.js';
import type { PlannedEntry } from './plan.js';
import type { EntryResult } from './run-entry.js';

export interface BatchSpend {
  /** Credits this run paid: the reported costs of the jobs it submitted (not those fetched by id, nor skipped). */
  cost: number | undefined;
  /** Jobs this run paid for whose cost Segmind did not report. */
  unpriced: number;
  /** The lowest balance a result reported: the latest, as balances only fall during a run. */
  remaining: number | undefined;
}

export function batchSpend(results: readonly EntryResult[]): BatchSpend {
  let cost: number | undefined;
  let unpriced = 0;
  let remaining: number | undefined;
  for (const r of results) {
    if (r.status !== 'done') continue;
    if (r.remainingCredits !== undefined) remaining = Math.min(remaining ?? Infinity, r.remainingCredits);
    if (r.resumed) continue;
    if (r.cost === undefined) unpriced++;
    else cost = roundCredits((cost ?? 0) + r.cost);
  }
  return { cost, unpriced, remaining };
}

/** Images a plan would pay for: entries to submit (a resumed job was paid already). */
export function imagesToSubmit(plans: readonly PlannedEntry[]): number {
  return plans.filter((p) => p.action === 'submit').reduce((n, p) => n + p.entry.params.num_outputs, 0);
}

/** Entries this run left unfinished, and their estimated cost when a price is known. */
export function leftToPay(
  results: readonly EntryResult[],
  plans: readonly PlannedEntry[],
  price: PriceEstimate | undefined,
): { entries: number; images: number; estimate: number | undefined } {
  const byKey = new Map(plans.map((p) => [p.entry.key, p]));
  const left = results.filter((r) => r.status !== 'done' && r.status !== 'skipped');
  const images = left.reduce((n, r) => n + (byKey.get(r.key)?.entry.params.num_outputs ?? 0), 0);
  return { entries: left.length, images, estimate: jobEstimate(price, images) };
}

/** A budget that surely covers `estimate`, rounded up to a hundredth so that it reads well. */
export function budgetFor(estimate: number): number {
  return Math.ceil(roundCredits(estimate) * 100 - 1e-6) / 100;
}
