/**
 * One generation, start to finish, as the library and the CLI's default command call it: the
 * job pipeline (job.ts) with no hooks. Returns what the CLI prints.
 */
import type { SegmindClient } from '../api/client.js';
import type { Journal } from '../store/journal.js';
import type { MetadataMode } from '../output/metadata.js';
import type { ResolvedParams } from '../params/schema.js';
import type { ProgressEvents } from './events.js';
import { runJob, type JobOutcome } from './job.js';
import type { Budget } from './money/budget.js';

export interface GenerateRequest {
  client: SegmindClient;
  params: ResolvedParams;
  localImage?: string;
  sync: boolean;
  outDir: string;
  /** A fixed poll cadence (an explicit --interval); without it polls adapt to recent run times. */
  intervalMs?: number;
  deadline: number;
  retries: number;
  journal?: Journal;
  signal?: AbortSignal;
  events?: ProgressEvents;
  /** Provenance for the saved images (issue 4): none, a `<file>.json` sidecar, or embedded. */
  metadata?: MetadataMode;
  /** The output directory to record in the journal when it differs from outDir (`-o -` stages in a temp dir). */
  journalOutDir?: string;
  /** The run's spend gate (--max-cost): the job is submitted only if its estimate fits. */
  budget?: Budget;
}

export interface GenerateOutcome extends JobOutcome {
  seed: number;
}

export async function generate(g: GenerateRequest): Promise<GenerateOutcome> {
  const outcome = await runJob(g);
  return { ...outcome, seed: outcome.params.seed };
}
