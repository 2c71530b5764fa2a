/**
 * The lock file: what each entry was asked for (a hash of its resolved request, seed included),
 * its request id as soon as the job is accepted, and the files it produced with their sizes
 * and sha256. A rerun compares against it to skip finished entries and to pick up jobs that
 * were paid for but not downloaded.
 *
 * Commit-friendly: keys sorted at every depth, paths relative to the lock file with `/`, and
 * no timestamps, so an unchanged entry never changes a byte.
 *
 * Recording an entry costs O(1): `set` appends one JSON line to `<lock>.log` beside the lock
 * and resolves once it is written, so a request id is on disk before the job is waited for.
 * Rewriting the whole lock after every entry made a batch quadratic (issue 10: 5,000 instant
 * entries took 547 s and wrote 22 GB for a 4.3 MB lock). The log is folded into the lock
 * (util/atomic-file.ts: temp file, fsync, rename; then the log is removed) when it outgrows the lock, which keeps the
 * bytes written within a small multiple of the final lock, and by `close()` at the end of a
 * run. A crash at any moment loses nothing: `load` replays a log that is left over, and the
 * next write folds it in.
 */
import { lstat, readFile, stat, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { OutputError, UsageError } from '../errors.js';
import { fileDigest, stableStringify } from '../util/hash.js';
import { appendNoFollow, writeFileAtomic } from '../util/atomic-file.js';
import { makeDirs } from '../util/make-dirs.js';
import { confinedPath } from '../util/plain-file.js';
import { scrubSecrets } from '../util/secrets.js';

export const LOCK_VERSION = 1;
/** The log is folded into the lock once it is larger than the lock and than this. */
const LOG_FLOOR_BYTES = 64 * 1024;

export interface LockedFile {
  /** Relative to the lock file's directory, with `/`. */
  path: string;
  bytes: number;
  sha256: string;
  /**
   * The file's own modification time when it was recorded (whole ms). With `bytes` it lets a
   * rerun skip hashing an unchanged file (issue 18). Not a time of the run: an unchanged file
   * keeps it, so the lock stays byte-stable. Absent in locks written before it existed.
   */
  mtime_ms?: number;
}

/** What `stat` says of a file, as far as the fast check needs it. */
export interface FileStat {
  size: number;
  mtimeMs: number;
}

/**
 * A file modified this close to the lock's own last write (or after it) could have changed
 * again within one tick of the filesystem's clock with its size kept: the "racy" case of
 * git's index. Such a file is hashed, whatever its mtime says. The tick is a few ms on ext4,
 * APFS, NTFS or tmpfs, but a second (HFS+, ext3) or two (FAT) where timestamps are whole
 * seconds, which an mtime of a whole second suggests.
 */
export const RACY_MARGIN_MS = 2_000;
const FINE_RACY_MARGIN_MS = 100;

function racyMargin(mtimeMs: number): number {
  return mtimeMs % 1000 === 0 ? RACY_MARGIN_MS : FINE_RACY_MARGIN_MS;
}

/**
 * The fast check of a recorded file: true when the file on disk still has the size and the
 * modification time the lock recorded, and that time is safely older than the lock's last
 * write (`lockWrittenMs`, the lock file's mtime; undefined when it is not on disk), so it is
 * taken as unchanged without reading it (the rule make, rsync and git's index use). False
 * means "look closer" (hash it), not "changed": a copy or a fresh clone has new mtimes over
 * the same bytes.
 */
export function unchangedBySizeAndMtime(file: LockedFile, st: FileStat, lockWrittenMs: number | undefined): boolean {
  if (file.mtime_ms === undefined || lockWrittenMs === undefined) return false;
  return (
    st.size === file.bytes &&
    Math.floor(st.mtimeMs) === file.mtime_ms &&
    file.mtime_ms < lockWrittenMs - racyMargin(file.mtime_ms)
  );
}

export interface IntactOptions {
  /** Hash every file, even those whose size and mtime match (`batch --verify`). */
  verify?: boolean;
  /** The lock file's mtime (ms): see unchangedBySizeAndMtime. */
  lockWrittenMs?: number;
}

export interface LockRecord {
  /** sha256 of the entry's resolved request and output place (see plan.ts). */
  hash: string;
  state: 'submitted' | 'done' | 'failed';
  request_id?: string;
  /** The request as sent: prompt, every parameter, the seed. Provenance for the whole batch. */
  params: Record<string, unknown>;
  files: LockedFile[];
  error?: string;
  /** What the job cost (credits), as Segmind reported it: what this entry's images were paid. */
  cost?: number;
}

interface LockDocument {
  'flux-krea-lock': number;
  model: string;
  entries: Record<string, LockRecord>;
}

export class LockFile {
  readonly path: string;
  readonly dir: string;
  /** The append-only log of the records set since the lock was last written. */
  readonly logPath: string;
  private readonly entries: Map<string, LockRecord>;
  private readonly model: string;
  private chain: Promise<void> = Promise.resolve();
  /** Bytes in the log, and in the lock as last written or read. */
  private logBytes: number;
  private lockBytes: number;
  /** The lock file's mtime as loaded (ms), for the fast check; undefined when it was not on disk. */
  private readonly lockWrittenMs: number | undefined;

  private constructor(
    path: string,
    model: string,
    entries: Map<string, LockRecord>,
    sizes: { lock: number; log: number },
    lockWrittenMs?: number,
  ) {
    this.path = path;
    this.dir = dirname(path);
    this.logPath = `${path}.log`;
    this.model = model;
    this.entries = entries;
    this.lockBytes = sizes.lock;
    this.logBytes = sizes.log;
    this.lockWrittenMs = lockWrittenMs;
  }

  /**
   * Loads the lock (and replays a log a crash left beside it), or starts an empty one. A
   * damaged lock stops the batch: ignoring it could pay for every entry again. Reading never
   * writes: a dry run leaves both files as they are.
   */
  static async load(path: string, model: string): Promise<LockFile> {
    const abs = resolve(path);
    // Before reading: a lock written meanwhile only makes the fast check more careful.
    const lockWrittenMs = await stat(abs).then(
      (st) => st.mtimeMs,
      () => undefined,
    );
    const text = await readIfAny(abs, path);
    const log = await readIfAny(`${abs}.log`, `${path}.log`);
    const entries = text === undefined ? new Map<string, LockRecord>() : parseLock(text, path);
    if (log !== undefined) replayLog(log, `${path}.log`, entries);
    return new LockFile(
      abs,
      model,
      entries,
      { lock: Buffer.byteLength(text ?? ''), log: Buffer.byteLength(log ?? '') },
      lockWrittenMs,
    );
  }

  /**
   * A lock that lives only for this run and never touches the disk: a sweep without --lock
   * runs through the batch engine like any batch, but has nothing to rerun. Paths are relative
   * to `dir`.
   */
  static inMemory(dir: string, model: string): LockFile {
    const lock = new LockFile(join(resolve(dir), '.flux-krea-sweep.lock.json'), model, new Map(), { lock: 0, log: 0 });
    lock.persistent = false;
    return lock;
  }

  /** False for an in-memory lock: nothing is written. */
  private persistent = true;

  get(key: string): LockRecord | undefined {
    return this.entries.get(key);
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** Sets a record and appends it to the log; resolves once this state is on disk. */
  set(key: string, given: LockRecord): Promise<void> {
    // A lock is committed: an error text that quotes a key never gets into it (issue 12 item 11).
    const record = given.error === undefined ? given : { ...given, error: scrubSecrets(given.error) };
    this.entries.set(key, record);
    const line = `${JSON.stringify({ key, record })}\n`;
    return this.enqueue(async () => {
      await this.append(line);
      // Folding the log in only once it outgrows the lock makes the rewrites a geometric
      // series: O(1) bytes and CPU per entry, amortised.
      if (this.logBytes > Math.max(this.lockBytes, LOG_FLOOR_BYTES)) await this.writeNow();
    });
  }

  /** Drops entries that are no longer in the manifest (in memory; `save` or `close` writes it). */
  prune(keep: (key: string) => boolean): boolean {
    let changed = false;
    for (const key of [...this.entries.keys()]) {
      if (!keep(key)) {
        this.entries.delete(key);
        changed = true;
      }
    }
    return changed;
  }

  /**
   * Writes the whole lock, which folds the log in. Writes are chained so that the file on disk
   * always holds the latest complete state.
   */
  save(): Promise<void> {
    return this.enqueue(() => this.writeNow());
  }

  /** Ends a run: the lock holds every record and the log is gone. Nothing is written when nothing was logged. */
  close(): Promise<void> {
    return this.enqueue(async () => {
      if (this.logBytes > 0) await this.writeNow();
    });
  }

  serialize(): string {
    const doc: LockDocument = {
      'flux-krea-lock': LOCK_VERSION,
      model: this.model,
      entries: Object.fromEntries(this.entries),
    };
    return `${stableStringify(doc, 2)}\n`;
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const run = this.chain.then(step);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async append(line: string): Promise<void> {
    if (!this.persistent) return;
    try {
      if (this.logBytes === 0) await makeDirs(this.dir);
      // Never through a planted symbolic link (issue 12, item 14).
      await appendNoFollow(this.logPath, line, { mode: 0o666 });
      this.logBytes += Buffer.byteLength(line);
    } catch (e) {
      throw cannotWrite(this.logPath, e);
    }
  }

  private async writeNow(): Promise<void> {
    if (!this.persistent) return;
    try {
      const text = this.serialize();
      await makeDirs(this.dir);
      // The umask decides the mode: the lock is meant to be committed and shared, it holds no secret.
      await writeFileAtomic(this.path, text, { mode: 0o666 });
      this.lockBytes = Buffer.byteLength(text);
    } catch (e) {
      throw cannotWrite(this.path, e);
    }
    // The lock now holds everything the log did. Should a crash come before the unlink, the
    // next load replays records the lock already has, which gives the same state.
    if (this.logBytes > 0) {
      await unlink(this.logPath).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw cannotWrite(this.logPath, e);
      });
      this.logBytes = 0;
    }
  }

  /** A saved file's path as the lock records it. */
  relativePath(path: string): string {
    return relative(this.dir, resolve(path)).split(sep).join('/');
  }

  absolutePath(path: string): string {
    return isAbsolute(path) ? path : join(this.dir, ...path.split('/'));
  }

  /**
   * A recorded path as an absolute one, only if it lies inside `root` (the entry's output
   * directory): a lock is committed and arrives in pull requests, and a path in it must never
   * make a run read or remove a file elsewhere (issue 12 item 6).
   */
  confinedPath(path: string, root: string): string | undefined {
    return confinedPath(this.dir, path, root);
  }

  /**
   * A saved file as the lock records it. `digest`: its size and sha256 when already known (a
   * download hashes as it streams), so the file is not read back; else it is hashed here.
   */
  async describeFile(path: string, digest?: { bytes: number; sha256: string }): Promise<LockedFile | undefined> {
    const st = await lstat(path).catch(() => undefined);
    if (!st?.isFile()) return undefined;
    const d = digest?.bytes === st.size ? digest : await fileDigest(path);
    return d && { path: this.relativePath(path), bytes: d.bytes, sha256: d.sha256, mtime_ms: Math.floor(st.mtimeMs) };
  }

  /**
   * True when every recorded file lies in `root`, is a plain file, and is still what was
   * written: same size and mtime (no read at all), or, when those differ or `verify` asks, the
   * same size and sha256.
   */
  async intact(record: LockRecord, root: string, o: IntactOptions = {}): Promise<boolean> {
    if (record.files.length === 0) return false;
    for (const f of record.files) {
      const path = typeof f?.path === 'string' ? this.confinedPath(f.path, root) : undefined;
      if (!path) return false;
      if (!(await fileIntact(f, path, { lockWrittenMs: this.lockWrittenMs, ...o }))) return false;
    }
    return true;
  }
}

/** One recorded file against the disk: the fast size + mtime check, else its sha256. */
export async function fileIntact(file: LockedFile, absPath: string, o: IntactOptions = {}): Promise<boolean> {
  // lstat: a symlink, a device or a FIFO put in a file's place is not that file (issue 12 item 6).
  const st = await lstat(absPath).catch(() => undefined);
  if (!st?.isFile() || st.size !== file.bytes) return false;
  if (!o.verify && unchangedBySizeAndMtime(file, st, o.lockWrittenMs)) return true;
  const d = await fileDigest(absPath);
  return d !== undefined && d.bytes === file.bytes && d.sha256 === file.sha256;
}

async function readIfAny(abs: string, shown: string): Promise<string | undefined> {
  try {
    return await readFile(abs, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(
      `Cannot read the lock file ${shown} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`,
    );
  }
}

function parseLock(text: string, path: string): Map<string, LockRecord> {
  let doc: Partial<LockDocument>;
  try {
    doc = JSON.parse(text) as Partial<LockDocument>;
  } catch {
    throw damaged(path, 'it is not valid JSON');
  }
  if (!doc || typeof doc !== 'object' || typeof doc.entries !== 'object' || doc.entries === null)
    throw damaged(path, 'it has no "entries"');
  if (doc['flux-krea-lock'] !== LOCK_VERSION)
    throw damaged(path, `its version ${String(doc['flux-krea-lock'])} is not ${LOCK_VERSION}`);
  const entries = new Map<string, LockRecord>();
  for (const [key, rec] of Object.entries(doc.entries)) addRecord(entries, key, rec);
  return entries;
}

function addRecord(entries: Map<string, LockRecord>, key: string, rec: LockRecord | undefined): void {
  if (rec && typeof rec === 'object' && typeof rec.hash === 'string')
    entries.set(key, { ...rec, files: Array.isArray(rec.files) ? rec.files : [] });
}

/**
 * Applies the log's records in order, the last one for a key winning. Only the last line can
 * be cut off (a crash during an append, before that `set` resolved): it is dropped. Anything
 * else unreadable stops the batch, as a damaged lock does.
 */
function replayLog(text: string, path: string, entries: Map<string, LockRecord>): void {
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line === '') return;
    let item: { key?: unknown; record?: LockRecord };
    try {
      item = JSON.parse(line) as typeof item;
    } catch {
      if (i === lines.length - 1) return; // no newline after it: the append was cut off
      throw damaged(path, `line ${i + 1} is not valid JSON`);
    }
    if (!item || typeof item !== 'object' || typeof item.key !== 'string')
      throw damaged(path, `line ${i + 1} has no "key"`);
    addRecord(entries, item.key, item.record);
  });
}

function cannotWrite(path: string, e: unknown): OutputError {
  return new OutputError(
    `Cannot write the lock file ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`,
    {
      option: 'lock',
      suggestion: 'Check the directory permissions, or choose another place for the lock file.',
    },
  );
}

function damaged(path: string, why: string): UsageError {
  return new UsageError(`The lock file ${path} cannot be used: ${why}.`, {
    suggestion: 'Restore it (e.g. from git), or delete it to start over: every entry would then be generated again.',
  });
}
