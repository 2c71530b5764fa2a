/**
 * The spend gate of a run (issue 14): every job asks it before it is submitted, and tells it
 * what the job cost once it is done. Two ceilings, both hard:
 *
 * - `--max-cost`: a job is admitted only if what this run has spent, plus the estimates of the
 *   jobs still in flight, plus this job's estimate, stays within the budget. Estimates use the
 *   highest price per image known, re-read at every decision, so a price that jumps mid-run
 *   re-prices the jobs in flight too.
 * - the balance: what the account had (`credits`, then each result's `remaining_credits`),
 *   minus the estimates of the jobs in flight and the known costs since it was read, must cover
 *   the job. In-flight jobs may already be charged in a balance read meanwhile; counting them
 *   again errs on the side of stopping early, never of overdrawing.
 *
 * Before any price is known, with --max-cost, jobs run one at a time until one reports its cost. A job that
 * finishes without a cost while no price is known leaves the run blind: with a budget, the
 * run then stops rather than guess.
 */
import { BudgetError, InterruptedError } from '../../errors.js';
import { roundCredits } from './credits.js';
import { perImage, type PriceEstimate } from './price.js';

export interface BudgetOptions {
  /** `--max-cost`: credits this run may spend. */
  maxCost?: number;
  /** The account's balance before the run, when known. */
  balance?: number;
  /** The price learnt from earlier jobs (the journal), when known. */
  price?: PriceEstimate;
}

/** A job admitted by the budget: hand it back with `settle` or `release`. */
export interface Ticket {
  readonly images: number;
}

/** What a finished job reported. */
export interface ChargeReport {
  cost?: number;
  remainingCredits?: number;
}

/** A tolerance for float sums: a budget of 0.05 admits five jobs of 0.01. */
const EPSILON = 1e-9;

export class Budget {
  readonly maxCost?: number;
  private perImage?: number;
  private balance?: number;
  /** Known costs settled since `balance` was read. */
  private sinceBalance = 0;
  private spentSoFar = 0;
  private readonly inFlight = new Set<Ticket>();
  /** A finished job reported no cost while no price was known: spending can no longer be told. */
  private blind = false;
  private changed: { promise: Promise<void>; resolve: () => void } = deferred();

  constructor(o: BudgetOptions = {}) {
    this.maxCost = o.maxCost;
    this.balance = o.balance;
    this.perImage = o.price?.perImage;
  }

  /** Credits this run has spent: reported costs, and estimates for jobs that reported none. */
  get spent(): number {
    return roundCredits(this.spentSoFar);
  }

  /** The balance as last known, less what was spent since. */
  get balanceLeft(): number | undefined {
    return this.balance === undefined ? undefined : roundCredits(this.balance - this.sinceBalance);
  }

  /** Credits per image, the highest known. */
  get price(): number | undefined {
    return this.perImage;
  }

  /** Does anything limit this run? Without a budget and a balance, admit() never waits. */
  get limited(): boolean {
    return this.maxCost !== undefined || this.balance !== undefined;
  }

  /**
   * With --max-cost, a job is admitted only once the price of the jobs before it is known. The
   * balance alone does not hold jobs back: before any price is known it refuses only when
   * nothing is left, and Segmind's 402 guards the rest.
   */
  get waitsForPrice(): boolean {
    return this.maxCost !== undefined;
  }

  /** The estimated cost of a job of `images` images at the highest known price. */
  estimate(images: number): number | undefined {
    return this.perImage === undefined ? undefined : roundCredits(this.perImage * images);
  }

  /**
   * Waits until the job may be submitted, then counts it as in flight. Throws BudgetError when
   * it would break a ceiling, InterruptedError when `signal` fires while it waits.
   */
  async admit(images: number, signal?: AbortSignal): Promise<Ticket> {
    for (;;) {
      if (signal?.aborted) throw new InterruptedError();
      // Before a price is known, one job at a time: the first to finish teaches the price.
      if (this.waitsForPrice && this.perImage === undefined && this.inFlight.size > 0) {
        await this.nextChange(signal);
        continue;
      }
      this.check(images);
      const ticket: Ticket = { images };
      this.inFlight.add(ticket);
      return ticket;
    }
  }

  /**
   * The job finished (its images may still be downloading): count what it cost. Returns the
   * price it replaced when the job cost more an image than the estimate.
   */
  settle(ticket: Ticket, charge: ChargeReport): { rose?: { from: number; to: number } } {
    if (!this.inFlight.delete(ticket)) return {};
    const price = perImage({ cost: charge.cost, asked: ticket.images });
    const before = this.perImage;
    if (price !== undefined) this.perImage = Math.max(this.perImage ?? 0, price);
    const cost = charge.cost ?? this.estimate(ticket.images);
    if (cost === undefined) this.blind = true;
    else {
      this.spentSoFar += cost;
      this.sinceBalance += cost;
    }
    if (charge.remainingCredits !== undefined) {
      this.balance = charge.remainingCredits;
      this.sinceBalance = 0;
    }
    this.notify();
    return before !== undefined && price !== undefined && price > before ? { rose: { from: before, to: price } } : {};
  }

  /** The job was never billed (refused, FAILED, or not submitted at all). */
  release(ticket: Ticket): void {
    if (this.inFlight.delete(ticket)) this.notify();
  }

  /** A balance read outside the run's jobs (`credits` before a batch). */
  observeBalance(credits: number): void {
    this.balance = credits;
    this.sinceBalance = 0;
    this.notify();
  }

  private check(images: number): void {
    const estimate = this.estimate(images);
    const inFlight = roundCredits([...this.inFlight].reduce((sum, t) => sum + (this.estimate(t.images) ?? 0), 0));
    const facts = { spent: this.spent, estimate, maxCost: this.maxCost, balance: this.balanceLeft, inFlight };
    if (this.maxCost !== undefined) {
      if (this.blind) throw new BudgetError('unknown-cost', facts);
      const left = roundCredits(this.maxCost - this.spentSoFar - inFlight);
      // An unknown estimate is a first job: it runs alone, unless nothing at all is left.
      if ((estimate !== undefined && estimate > left + EPSILON) || left <= EPSILON)
        throw new BudgetError('max-cost', { ...facts, left });
    }
    const balance = this.balanceLeft;
    if (balance !== undefined) {
      const left = roundCredits(balance - inFlight);
      if ((estimate !== undefined && estimate > left + EPSILON) || left <= EPSILON)
        throw new BudgetError('balance', { ...facts, left });
    }
  }

  private notify(): void {
    const { resolve } = this.changed;
    this.changed = deferred();
    resolve();
  }

  private nextChange(signal?: AbortSignal): Promise<void> {
    const change = this.changed.promise;
    if (!signal) return change;
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(new InterruptedError());
      signal.addEventListener('abort', onAbort, { once: true });
      void change.then(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * One job's dealings with a budget: admitted at most once (a submit may be retried), then
 * settled with what it cost or released when it was never billed, once.
 */
export class JobSpend {
  private ticket?: Ticket;
  private closed = false;

  constructor(
    private readonly budget: Budget,
    private readonly images: number,
  ) {}

  async admit(signal?: AbortSignal): Promise<void> {
    if (!this.ticket && !this.closed) this.ticket = await this.budget.admit(this.images, signal);
  }

  /** The job was billed: what it reported (nothing, when it may exist but never answered). */
  settle(report: ChargeReport): ReturnType<Budget['settle']> {
    if (!this.ticket || this.closed) return {};
    this.closed = true;
    return this.budget.settle(this.ticket, report);
  }

  release(): void {
    if (!this.ticket || this.closed) return;
    this.closed = true;
    this.budget.release(this.ticket);
  }
}
