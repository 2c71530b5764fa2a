/**
 * The lock file: what each entry was asked for (a hash of its resolved request, seed included),
 * its request id as soon as the job is accepted, and the files it produced with their sizes
 * and sha256. A rerun compares against it to skip finished entries and to pick up jobs that
 * were paid for but not downloaded.
 *
 * Commit-friendly: keys sorted at every depth, paths relative to the lock file with `/`, and
 * no timestamps, so an unchanged entry never changes a byte. Every update rewrites the file
 * atomically (util/atomic-file.ts), as entries finish, so Ctrl-C or a crash loses nothing.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { OutputError, UsageError } from '../errors.js';
import { fileDigest, stableStringify } from '../util/hash.js';
import { writeFileAtomic } from '../util/atomic-file.js';

export const LOCK_VERSION = 1;

export interface LockedFile {
  /** Relative to the lock file's directory, with `/`. */
  path: string;
  bytes: number;
  sha256: string;
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
}

interface LockDocument {
  'flux-krea-lock': number;
  model: string;
  entries: Record<string, LockRecord>;
}

export class LockFile {
  readonly path: string;
  readonly dir: string;
  private readonly entries: Map<string, LockRecord>;
  private readonly model: string;
  private chain: Promise<void> = Promise.resolve();

  private constructor(path: string, model: string, entries: Map<string, LockRecord>) {
    this.path = path;
    this.dir = dirname(path);
    this.model = model;
    this.entries = entries;
  }

  /** Loads the lock, or starts an empty one. A damaged lock stops the batch: ignoring it could pay for every entry again. */
  static async load(path: string, model: string): Promise<LockFile> {
    const abs = resolve(path);
    let text: string;
    try {
      text = await readFile(abs, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new LockFile(abs, model, new Map());
      throw new UsageError(`Cannot read the lock file ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
    }
    let doc: Partial<LockDocument>;
    try {
      doc = JSON.parse(text) as Partial<LockDocument>;
    } catch {
      throw damaged(path, 'it is not valid JSON');
    }
    if (!doc || typeof doc !== 'object' || typeof doc.entries !== 'object' || doc.entries === null) throw damaged(path, 'it has no "entries"');
    if (doc['flux-krea-lock'] !== LOCK_VERSION) throw damaged(path, `its version ${String(doc['flux-krea-lock'])} is not ${LOCK_VERSION}`);
    const entries = new Map<string, LockRecord>();
    for (const [key, rec] of Object.entries(doc.entries)) {
      if (rec && typeof rec === 'object' && typeof rec.hash === 'string') entries.set(key, { ...rec, files: Array.isArray(rec.files) ? rec.files : [] });
    }
    return new LockFile(abs, model, entries);
  }

  get(key: string): LockRecord | undefined {
    return this.entries.get(key);
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** Sets a record and writes the file; resolves once this state is on disk. */
  set(key: string, record: LockRecord): Promise<void> {
    this.entries.set(key, record);
    return this.save();
  }

  /** Drops entries that are no longer in the manifest. */
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

  /** Writes are chained so that the file on disk always holds the latest complete state. */
  save(): Promise<void> {
    const write = this.chain.then(() => this.writeNow());
    this.chain = write.catch(() => undefined);
    return write;
  }

  serialize(): string {
    const doc: LockDocument = { 'flux-krea-lock': LOCK_VERSION, model: this.model, entries: Object.fromEntries(this.entries) };
    return `${stableStringify(doc, 2)}\n`;
  }

  private async writeNow(): Promise<void> {
    try {
      await mkdir(this.dir, { recursive: true });
      // The umask decides: the lock is meant to be committed and shared, it holds no secret.
      await writeFileAtomic(this.path, this.serialize(), { mode: 0o666 });
    } catch (e) {
      throw new OutputError(`Cannot write the lock file ${this.path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`, {
        suggestion: 'Check the directory permissions, or choose another place with --lock.',
      });
    }
  }

  /** A saved file's path as the lock records it. */
  relativePath(path: string): string {
    return relative(this.dir, resolve(path)).split(sep).join('/');
  }

  absolutePath(path: string): string {
    return isAbsolute(path) ? path : join(this.dir, ...path.split('/'));
  }

  async describeFile(path: string): Promise<LockedFile | undefined> {
    const d = await fileDigest(path);
    return d && { path: this.relativePath(path), ...d };
  }

  /** True when every recorded file exists with its recorded size and sha256. */
  async intact(record: LockRecord): Promise<boolean> {
    if (record.files.length === 0) return false;
    for (const f of record.files) {
      const d = await fileDigest(this.absolutePath(f.path));
      if (!d || d.bytes !== f.bytes || d.sha256 !== f.sha256) return false;
    }
    return true;
  }
}

function damaged(path: string, why: string): UsageError {
  return new UsageError(`The lock file ${path} cannot be used: ${why}.`, {
    suggestion: 'Restore it (e.g. from git), or delete it to start over: every entry would then be generated again.',
  });
}
