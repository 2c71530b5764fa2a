/**
 * `batch --frozen`: is everything the manifest asks for already made? Decided from the lock
 * and the files alone: no key, no request, nothing written. It is what a pull request from a
 * fork runs (no secrets there), and it says for each entry that is not current why a real run
 * would generate it.
 *
 * The lock records sizes and sha256, not times (it is committed, and mtimes do not survive a
 * checkout or a cache restore), so every file is hashed; a wrong size short-cuts the hash.
 */
import { stat } from 'node:fs/promises';
import { fileDigest } from '../../util/hash.js';
import type { LockFile, LockRecord } from '../../store/lock.js';
import { whyAgain, type PlannedEntry } from './plan.js';

export interface FrozenVerdict {
  plan: PlannedEntry;
  current: boolean;
  /** Why a run would generate it (absent when current). */
  reason?: string;
}

/** `display` turns a lock-relative path into the one to show. */
export async function checkFrozen(
  plans: readonly PlannedEntry[],
  lock: LockFile,
  display: (lockPath: string) => string = (p) => p,
): Promise<FrozenVerdict[]> {
  const verdicts: FrozenVerdict[] = [];
  for (const plan of plans) {
    // The plan already found its files intact (planEntries hashed them): no second pass.
    const reason = plan.action === 'skip' ? undefined : await staleReason(plan, lock, display);
    verdicts.push(reason === undefined ? { plan, current: true } : { plan, current: false, reason });
  }
  return verdicts;
}

async function staleReason(
  plan: PlannedEntry,
  lock: LockFile,
  display: (lockPath: string) => string,
): Promise<string | undefined> {
  const previous = plan.previous;
  if (!previous) return 'new entry: not in the lock';
  // The same words as a real run's notice before it regenerates (plan.ts).
  if (previous.hash !== plan.hash) return whyAgain(previous, plan.entry, plan.hash, false);
  if (previous.state === 'submitted')
    return `paid for but not downloaded (request ${previous.request_id ?? '?'}): a run that is not frozen fetches it without paying again`;
  if (previous.state === 'failed') return `failed in the last run${previous.error ? `: ${previous.error}` : ''}`;
  return fileProblem(previous, lock, plan.outDir, display);
}

/** The first recorded file that is missing or not what was recorded. */
async function fileProblem(
  record: LockRecord,
  lock: LockFile,
  root: string,
  display: (lockPath: string) => string,
): Promise<string | undefined> {
  if (record.files.length === 0) return 'no files recorded';
  for (const f of record.files) {
    // A lock is input like any other: a recorded path may not lead out of the entry's directory.
    const path = typeof f?.path === 'string' ? lock.confinedPath(f.path, root) : undefined;
    if (!path) return `the lock records a file outside the entry's directory (${JSON.stringify(f?.path)})`;
    const shown = display(f.path);
    const size = await stat(path).then(
      (s) => (s.isFile() ? s.size : undefined),
      () => undefined,
    );
    if (size === undefined) return `missing file ${shown}`;
    if (size !== f.bytes) return `hash mismatch ${shown} (${size} bytes, the lock says ${f.bytes})`;
    const d = await fileDigest(path);
    if (!d) return `missing file ${shown} (cannot be read)`;
    if (d.sha256 !== f.sha256) return `hash mismatch ${shown} (sha256 differs from the lock)`;
  }
  return undefined;
}
