/**
 * Runs the planned entries: skipped ones are reported at once, the others go through a pool
 * that keeps `concurrency` jobs on the server. New submits stop after Ctrl-C, after the first failure with
 * --fail-fast, and after a failure that every other entry would share (no key, no credits).
 */
import { runPool } from './pool.js';
import type { PlannedEntry } from './plan.js';
import { runEntry, type EntryResult, type EntryRunContext } from './run-entry.js';
import { SubmitTurns } from './submit-gate.js';

/** Failures that say nothing about the entry and everything about the account. */
const SYSTEMIC = new Set(['auth', 'credits']);

export interface RunOptions {
  concurrency: number;
  failFast: boolean;
}

export async function runPlanned(plans: PlannedEntry[], c: EntryRunContext, o: RunOptions): Promise<EntryResult[]> {
  const results = new Map<string, EntryResult>();
  for (const p of plans) {
    if (p.action !== 'skip') continue;
    const r: EntryResult = {
      key: p.entry.key,
      line: p.entry.line,
      status: 'skipped',
      seed: p.entry.params.seed,
      requestId: p.previous?.request_id,
      files: p.previous?.files ?? [],
      cost: p.previous?.cost,
    };
    results.set(p.entry.key, r);
    c.events.finished?.(r);
  }
  const stop = new AbortController();
  const ctx: EntryRunContext = { ...c, stopSubmits: stop.signal, turns: new SubmitTurns() };
  const todo = plans.filter((p) => p.action !== 'skip');
  await runPool(
    todo,
    o.concurrency,
    async (p, releaseSlot) => {
      const r = await runEntry(p, ctx, releaseSlot);
      results.set(p.entry.key, r);
      // A budget stop (not-run, kind credits) stops the submits as a 402 does.
      if (r.error && (SYSTEMIC.has(r.error.kind) || (o.failFast && r.status === 'failed'))) stop.abort();
      c.events.finished?.(r);
    },
    () => stop.signal.aborted || c.signal.aborted,
  );
  return plans.map(
    (p) =>
      results.get(p.entry.key) ?? {
        key: p.entry.key,
        line: p.entry.line,
        status: 'not-run' as const,
        seed: p.entry.params.seed,
        requestId: p.previous?.request_id,
        files: [],
      },
  );
}
