/**
 * What each entry of this run needs, decided from the lock file before anything is sent:
 * - skip: same hash, finished, and every recorded file still there with its size and sha256
 *   (taken from an unchanged size and mtime without reading the file, unless --verify);
 * - resume: same hash and a request id whose images we do not have (submitted but not
 *   downloaded, e.g. after Ctrl-C, or files lost since): fetched by id, not paid again;
 * - submit: new, changed, failed before, or --force.
 * The hash covers everything that decides the files: the request body (seed included), the
 * content of a local input image, the output directory and the name.
 */
import { resolve } from 'node:path';
import { readFile } from 'node:fs/promises';
import type { BatchEntry } from './entries.js';
import { sha256, stableStringify } from '../../util/hash.js';
import type { LockFile, LockRecord } from '../../store/lock.js';

export type Action = 'skip' | 'resume' | 'submit';

export interface PlannedEntry {
  entry: BatchEntry;
  outDir: string;
  hash: string;
  action: Action;
  previous?: LockRecord;
  /** Why an entry the lock knows is submitted again (a paid job), said before paying (issue 13 item 7). */
  reason?: string;
}

export async function entryHash(entry: BatchEntry, outDir: string, lock: LockFile): Promise<string> {
  const image = entry.localImage ? sha256(await readFile(entry.localImage)) : undefined;
  return sha256(
    stableStringify({ params: entry.params, image_sha256: image, out: lock.relativePath(outDir), name: entry.name }),
  );
}

export function outDirOf(entry: BatchEntry, baseOut: string): string {
  return resolve(baseOut, entry.out ?? '.');
}

export interface PlanOptions {
  lock: LockFile;
  baseOut: string;
  force: boolean;
  /** Hash every finished file instead of trusting an unchanged size and mtime. */
  verify?: boolean;
}

/**
 * Entries are planned a few at a time: each check is a stat or two on the thread pool, and
 * one at a time an unchanged 5,000-entry rerun spent most of its wall time waiting on them.
 */
const PLAN_CONCURRENCY = 16;

export async function planEntries(entries: BatchEntry[], o: PlanOptions): Promise<PlannedEntry[]> {
  const plans: PlannedEntry[] = new Array<PlannedEntry>(entries.length);
  let next = 0;
  const worker = async () => {
    while (next < entries.length) {
      const i = next++;
      const entry = entries[i]!;
      const outDir = outDirOf(entry, o.baseOut);
      const hash = await entryHash(entry, outDir, o.lock);
      const previous = o.lock.get(entry.key);
      const action = await decide(previous, hash, outDir, o);
      plans[i] = {
        entry,
        outDir,
        hash,
        action,
        previous,
        ...(action === 'submit' && previous ? { reason: whyAgain(previous, entry, hash, o.force) } : {}),
      };
    }
  };
  await Promise.all(Array.from({ length: Math.min(PLAN_CONCURRENCY, entries.length) }, worker));
  return plans;
}

/** In words, why an entry with a lock record is submitted again. */
export function whyAgain(previous: LockRecord, entry: BatchEntry, hash: string, force: boolean): string {
  if (previous.hash !== hash) {
    const keys = [...new Set([...Object.keys(previous.params), ...Object.keys(entry.params)])].sort();
    const show = (v: unknown) =>
      v === undefined
        ? '(none)'
        : typeof v === 'string' && v.length > 30
          ? `${JSON.stringify(v.slice(0, 29))}…`
          : JSON.stringify(v);
    const changed = keys.filter(
      (k) => JSON.stringify(previous.params[k]) !== JSON.stringify((entry.params as Record<string, unknown>)[k]),
    );
    if (changed.length)
      return `changed: ${changed.map((k) => `${k} ${show(previous.params[k])} → ${show((entry.params as Record<string, unknown>)[k])}`).join(', ')}`;
    return entry.localImage
      ? 'changed: its input image, output directory or name'
      : 'changed: its output directory or name';
  }
  if (force) return 'forced';
  if (previous.state === 'failed')
    return `failed last time${previous.error ? ` (${previous.error.slice(0, 60)})` : ''}`;
  return 'its files are missing or changed, and the job that made them cannot be fetched again';
}

async function decide(previous: LockRecord | undefined, hash: string, outDir: string, o: PlanOptions): Promise<Action> {
  if (!previous || previous.hash !== hash) return 'submit';
  if (previous.state === 'submitted' && previous.request_id) return 'resume';
  if (o.force || previous.state !== 'done') return 'submit';
  if (await o.lock.intact(previous, outDir, { verify: o.verify })) return 'skip';
  return previous.request_id ? 'resume' : 'submit';
}
