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
}

export type JournalEvent = Partial<JournalEntry> & { id: string };

const FILE = 'jobs.jsonl';
/** Rewrite the file once it grows past this many lines, keeping the newest jobs. */
const COMPACT_LINES = 2000;
const KEEP_JOBS = 500;

export class Journal {
  readonly path: string;
  private readonly onWarning?: (message: string) => void;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(dir: string, onWarning?: (message: string) => void) {
    this.path = join(dir, FILE);
    this.onWarning = onWarning;
  }

  /** Records an event; never throws (a journal problem must not lose the images). */
  record(event: JournalEvent): Promise<void> {
    // The leading newline ends any line a crashed writer left torn, so a torn line never
    // swallows the next record; blank lines are skipped on reading.
    const line = `\n${JSON.stringify({ ...event, at: new Date().toISOString() })}\n`;
    const write = this.chain.then(async () => {
      try {
        await fsp.mkdir(join(this.path, '..'), { recursive: true });
        await fsp.appendFile(this.path, line, { mode: 0o600 });
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
    const all = text.split('\n');
    // An unterminated last line may be another process's append in progress: not corrupt, not ours.
    if (!text.endsWith('\n')) all.pop();
    const lines = all.filter((l) => l.trim());
    const events: JournalEvent[] = [];
    let bad = 0;
    for (const line of lines) {
      try {
        const e = JSON.parse(line) as JournalEvent & { at?: string };
        if (typeof e?.id === 'string') events.push(e); else bad++;
      } catch {
        bad++;
      }
    }
    const jobs = fold(events);
    // Rewriting races with other processes' appends: only when the file is as we read it.
    const unchanged = async () => (await fsp.stat(this.path).catch(() => undefined))?.size === Buffer.byteLength(text);
    if (bad > 0 && await unchanged()) await this.setAside(bad, jobs);
    else if (lines.length > COMPACT_LINES && await unchanged()) await this.rewrite(jobs.slice(0, KEEP_JOBS));
    return jobs;
  }

  /** Run times (ms) of the most recent async jobs that have one, newest first. */
  async recentRunTimes(limit = 16): Promise<number[]> {
    const jobs = await this.list();
    return jobs.map((j) => j.runMs).filter((ms): ms is number => typeof ms === 'number' && ms > 0).slice(0, limit);
  }

  async get(id: string): Promise<JournalEntry | undefined> {
    return (await this.list()).find((j) => j.id === id);
  }

  private async setAside(bad: number, jobs: JournalEntry[]): Promise<void> {
    const aside = `${this.path}.corrupt-${Date.now()}`;
    try {
      await fsp.rename(this.path, aside);
      await this.rewrite(jobs);
      this.onWarning?.(`The job journal had ${bad} unreadable line(s); the old file was kept as ${aside} and the good entries carried over.`);
    } catch (e) {
      this.onWarning?.(`The job journal ${this.path} is damaged and could not be repaired: ${(e as Error).message}`);
    }
  }

  /** Atomic rewrite: a temp file renamed over the journal. */
  private async rewrite(jobs: JournalEntry[]): Promise<void> {
    const tmp = `${this.path}.${process.pid}.tmp`;
    const body = jobs.slice().reverse().map((j) => JSON.stringify(j)).join('\n');
    await fsp.writeFile(tmp, body ? `${body}\n` : '', { mode: 0o600 });
    await fsp.rename(tmp, this.path);
  }
}

/** Folds events into one entry per job, newest first. */
export function fold(events: (JournalEvent & { at?: string })[]): JournalEntry[] {
  const byId = new Map<string, JournalEntry>();
  for (const e of events) {
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
