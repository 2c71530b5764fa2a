/**
 * The price of an image, learnt from jobs: Segmind has no price list endpoint, but every
 * finished job reports its cost (`metrics.cost`, or `x-cost` on v1). The estimate is the
 * HIGHEST cost per image among recent jobs: a budget is a ceiling, so the estimate errs high.
 */
import type { JournalEntry } from '../../store/journal.js';
import { roundCredits } from './credits.js';

/** How many recent priced jobs the estimate looks at: a price change ages out after this many. */
export const PRICE_WINDOW = 20;

export interface PricedJob {
  /** What the job cost, as Segmind reported it. */
  cost?: number;
  /** Images asked for (`num_outputs`): Segmind bills what was asked, not what the safety checker kept. */
  asked?: number;
}

export interface PriceEstimate {
  /** Credits per image: the highest of the jobs seen. */
  perImage: number;
  /** How many jobs it was learnt from. */
  jobs: number;
}

/** The cost of one image of a job, when the job says enough to know it. */
export function perImage(job: PricedJob): number | undefined {
  const { cost, asked } = job;
  if (typeof cost !== 'number' || !Number.isFinite(cost) || cost < 0) return undefined;
  if (typeof asked !== 'number' || !Number.isInteger(asked) || asked < 1) return undefined;
  return roundCredits(cost / asked);
}

/** The estimate from jobs listed newest first (the journal's order); undefined when none reported a cost. */
export function estimatePrice(jobs: Iterable<PricedJob>, window = PRICE_WINDOW): PriceEstimate | undefined {
  let highest: number | undefined;
  let seen = 0;
  for (const job of jobs) {
    const price = perImage(job);
    if (price === undefined) continue;
    highest = Math.max(highest ?? 0, price);
    if (++seen >= window) break;
  }
  return highest === undefined ? undefined : { perImage: highest, jobs: seen };
}

/** The estimated cost of a job of `images` images. */
export function jobEstimate(price: PriceEstimate | undefined, images: number): number | undefined {
  return price === undefined ? undefined : roundCredits(price.perImage * images);
}

/** The estimate from the journal's jobs (newest first), each priced by its cost and the images it asked for. */
export function journalPrice(jobs: readonly JournalEntry[]): PriceEstimate | undefined {
  return estimatePrice(
    jobs.map((j) => ({
      cost: j.cost,
      asked: typeof j.params?.num_outputs === 'number' ? j.params.num_outputs : undefined,
    })),
  );
}
