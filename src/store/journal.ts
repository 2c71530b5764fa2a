/**
 * The job journal: every accepted job is written down before we wait for it, so a paid job is
 * never lost to Ctrl-C, a crash or a closed laptop. It is an append-only JSON Lines file: one
 * small append per event is atomic in practice, parallel jobs (batch) never rewrite each
 * other's lines, and a torn last line after a crash costs only that line.
 */
// fs.promises at call time, not node:fs/promises at import: every command that may write a job
// imports this module, a dry run included, and that import costs about 1 ms (issue 6).
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { appendNoFollow, writeFileAtomic } from '../util/atomic-file.js';
import { makeDirs } from '../util/make-dirs.js';
import { scrubSecrets } from '../util/secrets.js';

export type JobState = 'submitted' | 'saved' | 'partial' | 'failed' | 'expired';

export interface JournalEntry {
  id: string;
  createdAt: string;
  updatedAt: string;
  state: JobState;
  mode?: 'async' | 'sync';
  prompt?: string;
  params?: Record<string, unknown>;
  outDir?: string;
  files?: string[];
  error?: string;
  /** How long the job ran on the server, as polling saw it (ms): the poll schedule learns from it. */
  runMs?: number;
  /** What Segmind charged for the job (credits), as it reported: the price estimate learns from it. */
  cost?: number;
  /** The account's balance after the job, as Segmind reported it. */
  remainingCredits?: number;
}

export type JournalEvent = Partial<JournalEntry> & { id: string };

const FILE = 'jobs.jsonl';
/** Rewrite the file once it grows past this many lines, keeping the newest jobs. */
const COMPACT_LINES = 2000;
/**
 * Jobs kept by a compaction: the newest this many, and besides them every job that can still
 * be saved (see `stillFetchable`). About 800 bytes a job: the file stays under ~2 MB.
 */
const KEEP_JOBS = 500;
/** Segmind keeps a job's status and result for an hour; after that its id fetches nothing. */
export const RETENTION_MS = 60 * 60 * 1000;
/**
 * Writers check the file's size every this many records: a batch of 100,000 jobs that never
 * lists the journal keeps it bounded too (issue 18: it grew by 800 B a job, and `jobs` took
 * 1.9 s and 353 MB at 100,000). The size is the line limit at ~1 kB a line.
 */
const CHECK_EVERY = 256;
const BYTES_PER_LINE = 1024;

/** A job whose images may still be fetched: not saved yet, async, and within Segmind's retention. */
export function stillFetchable(j: JournalEntry, now = Date.now()): boolean {
  return (
    (j.state === 'submitted' || j.state === 'partial') &&
    j.mode !== 'sync' &&
    now - Date.parse(j.createdAt) < RETENTION_MS
  );
}

/**
 * The jobs a compaction keeps (newest first): the newest `keep`, and every job not yet saved
 * that Segmind still holds, however many newer ones there are: dropping it would lose the
 * only record of a paid job's id.
 */
export function jobsToKeep(jobs: JournalEntry[], keep: number, now = Date.now()): JournalEntry[] {
  return jobs.filter((j, i) => i < keep || stillFetchable(j, now));
}

export class Journal {
  readonly path: string;
  private readonly onWarning?: (message: string) => void;
  private chain: Promise<unknown> = Promise.resolve();

  private readonly compactLines: number;
  private readonly keepJobs: number;
  private recordsSinceCheck = 0;
  /** Made once per journal, not once per record. */
  private dirMade = false;

  /** `limits` is for tests, which make compactions frequent to race them against appends. */
  constructor(
    dir: string,
    onWarning?: (message: string) => void,
    limits: { compactLines?: number; keepJobs?: number } = {},
  ) {
    this.path = join(dir, FILE);
    this.onWarning = onWarning;
    this.compactLines = limits.compactLines ?? COMPACT_LINES;
    this.keepJobs = limits.keepJobs ?? KEEP_JOBS;
  }

  /** Records an event; never throws (a journal problem must not lose the images). */
  record(event: JournalEvent): Promise<void> {
    // The leading newline ends any line a crashed writer left torn, so a torn line never
    // swallows the next record; blank lines are skipped on reading.
    // An error's text may quote a server that echoed the key: never onto disk (issue 12 item 11).
    const line = `\n${scrubSecrets(JSON.stringify({ ...event, at: eventTime() }))}\n`;
    const write = this.chain.then(async () => {
      try {
        if (!this.dirMade) await makeDirs(join(this.path, '..'), 0o700);
        this.dirMade = true;
        // A compaction that replaced the file under this write took the file it was read
        // from, maybe before this line arrived: append again to the new one. Folding the same
        // event twice changes nothing.
        for (let tries = 0; tries < 5 && !(await appendNoFollow(this.path, line)); tries++);
        if (++this.recordsSinceCheck >= CHECK_EVERY) {
          this.recordsSinceCheck = 0;
          const { size } = await fsp.stat(this.path);
          if (size > this.compactLines * BYTES_PER_LINE) await this.compact();
        }
      } catch (e) {
        this.onWarning?.(`Could not write the job journal ${this.path}: ${(e as Error).message}`);
      }
    });
    this.chain = write;
    return write;
  }

  /** All jobs, newest first. A corrupt journal is reported, set aside and rebuilt from its good lines. */
  async list(): Promise<JournalEntry[]> {
    await this.chain;
    let text: string;
    try {
      text = await fsp.readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      this.onWarning?.(`Could not read the job journal ${this.path}: ${(e as Error).message}`);
      return [];
    }
    const { events, lines, bad } = parseEvents(text);
    const jobs = fold(events);
    if (bad > 0) await this.setAside(bad, text);
    else if (lines > this.compactLines)
      await this.compact().catch((e: Error) =>
        this.onWarning?.(`Could not compact the job journal ${this.path}: ${e.message}`),
      );
    return jobs;
  }

  /** Run times (ms) of the most recent async jobs that have one, newest first. */
  async recentRunTimes(limit = 16): Promise<number[]> {
    const jobs = await this.list();
    return jobs
      .map((j) => j.runMs)
      .filter((ms): ms is number => typeof ms === 'number' && ms > 0)
      .slice(0, limit);
  }

  async get(id: string): Promise<JournalEntry | undefined> {
    return (await this.list()).find((j) => j.id === id);
  }

  private async setAside(bad: number, text: string): Promise<void> {
    const aside = `${this.path}.corrupt-${Date.now()}`;
    try {
      await writeFileAtomic(aside, text);
      if (await this.compact()) {
        this.onWarning?.(
          `The job journal had ${bad} unreadable line(s); the old file was kept as ${aside} and the good entries carried over.`,
        );
      }
    } catch (e) {
      this.onWarning?.(`The job journal ${this.path} is damaged and could not be repaired: ${(e as Error).message}`);
    }
  }

  /**
   * Rewrites the journal with its newest jobs, without losing a record that another process
   * appends meanwhile, whatever the interleaving (issue 12, item 4):
   * - one compaction at a time (an exclusive `.compacting` file; a dead owner's is taken over);
   * - the jobs are read through a descriptor of the file being replaced, and after the atomic
   *   replacement whatever reached that old file since the read is appended to the new one;
   * - a writer whose append landed in the old file after that (it opened it before the
   *   replacement) sees the file changed under it and appends again (record()).
   * Events fold by their time, so a record carried over late still folds in its place.
   * Resolves with false when another process is compacting (this one is then unnecessary).
   */
  private async compact(): Promise<boolean> {
    const owner = await takeLock(`${this.path}.compacting`);
    if (!owner) return false;
    try {
      const old = await fsp.open(this.path, 'r');
      try {
        const read = await old.readFile();
        // Whole lines only: a line without its newline yet is an append in progress, carried over with the tail.
        const upTo = read.lastIndexOf(0x0a) + 1;
        const events = parseEvents(read.subarray(0, upTo).toString('utf8')).events;
        const body = jobsToKeep(fold(events), this.keepJobs)
          .reverse()
          .map((j) => JSON.stringify(j))
          .join('\n');
        await writeFileAtomic(this.path, body ? `${body}\n` : '');
        const { size } = await old.stat();
        if (size > upTo) {
          const tail = Buffer.alloc(size - upTo);
          await old.read(tail, 0, tail.length, upTo);
          // Its own leading newline ends any torn line, as every record's does.
          await appendNoFollow(this.path, `\n${tail.toString('utf8')}\n`);
        }
      } finally {
        await old.close();
      }
      return true;
    } finally {
      await owner.release();
    }
  }
}

let lastEventMs = 0;
/**
 * Now, but strictly later than this process's previous event: events fold in time order, and
 * two events of one job recorded in the same millisecond must keep theirs.
 */
function eventTime(): string {
  lastEventMs = Math.max(Date.now(), lastEventMs + 1);
  return new Date(lastEventMs).toISOString();
}

/** Complete lines only: an unterminated last line may be another process's append in progress. */
function parseEvents(text: string): { events: (JournalEvent & { at?: string })[]; lines: number; bad: number } {
  const all = text.split('\n');
  if (!text.endsWith('\n')) all.pop();
  const lines = all.filter((l) => l.trim());
  const events: (JournalEvent & { at?: string })[] = [];
  let bad = 0;
  for (const line of lines) {
    try {
      const e = JSON.parse(line) as JournalEvent & { at?: string };
      if (typeof e?.id === 'string') events.push(e);
      else bad++;
    } catch {
      bad++;
    }
  }
  return { events, lines: lines.length, bad };
}

/** An exclusive lock file holding our pid; one left by a process that has died is taken over. */
async function takeLock(path: string): Promise<{ release(): Promise<void> } | undefined> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await fsp.open(path, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      return { release: () => fsp.unlink(path).catch(() => undefined) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(await fsp.readFile(path, 'utf8').catch(() => ''));
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) return undefined;
      await fsp.unlink(path).catch(() => undefined);
    }
  }
  return undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Folds events into one entry per job, newest first. */
export function fold(events: (JournalEvent & { at?: string })[]): JournalEntry[] {
  const byId = new Map<string, JournalEntry>();
  // In time order, not file order: a compaction may carry an older record over after newer ones.
  const timeOf = (e: JournalEvent & { at?: string }) => e.at ?? e.updatedAt ?? e.createdAt ?? '';
  const ordered = events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => timeOf(a.e).localeCompare(timeOf(b.e)) || a.i - b.i)
    .map((x) => x.e);
  for (const e of ordered) {
    const { at, ...rest } = e;
    const prev = byId.get(e.id);
    const when = at ?? rest.updatedAt ?? rest.createdAt ?? new Date(0).toISOString();
    const merged: JournalEntry = {
      ...(prev ?? { createdAt: rest.createdAt ?? when, state: 'submitted' as JobState }),
      ...stripUndefined(rest),
      updatedAt: when,
    } as JournalEntry;
    if (prev?.files && rest.files) merged.files = [...new Set([...prev.files, ...rest.files])];
    byId.delete(e.id);
    byId.set(e.id, merged);
  }
  return [...byId.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
