/**
 * One batch run per lock file (issue 12 item 2): two runs on the same lock would each submit
 * every entry the other has not recorded yet, and pay twice. A run that will submit owns the
 * lock through `<lock>.owner`, created exclusively (O_EXCL, which also refuses a symlink), and
 * holding its pid, host and a random token. A second run stops before anything is sent.
 *
 * An owner file is stale when its process is gone: same host and no such pid (a run killed
 * with SIGKILL, a power cut). The next run takes it over. A file from another host (a shared
 * network drive) cannot be checked, so it holds until someone removes it; the message says so.
 */
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { LocalStateError, LockBusyError } from '../errors.js';

export interface LockOwner {
  /** The owner file. */
  readonly path: string;
  /** Gives the lock up: removes the owner file if it is still this run's. */
  release(): Promise<void>;
}

interface OwnerRecord {
  pid: number;
  host: string;
  token: string;
  started: string;
}

/** An owner file that cannot be read this long after it was made was left by a crash mid-write. */
const UNREADABLE_GRACE_MS = 10_000;

export function ownerPath(lockPath: string): string {
  return `${lockPath}.owner`;
}

/**
 * Takes the lock for this run, or throws a LocalStateError naming the run that holds it.
 * `isAlive` is injectable for tests.
 */
export async function acquireLockOwner(
  lockPath: string,
  o: { isAlive?: (pid: number) => boolean } = {},
): Promise<LockOwner> {
  const path = ownerPath(lockPath);
  const me: OwnerRecord = {
    pid: process.pid,
    host: hostname(),
    token: randomBytes(8).toString('hex'),
    started: new Date().toISOString(),
  };
  const text = `${JSON.stringify(me)}\n`;
  const isAlive = o.isAlive ?? processAlive;
  // Two rounds: the second after a stale owner was moved aside.
  for (let round = 0; round < 2; round++) {
    try {
      const fh = await open(path, 'wx', 0o644);
      try {
        await fh.writeFile(text);
      } finally {
        await fh.close();
      }
      return { path, release: () => releaseIfOurs(path, me.token) };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') {
        throw new LocalStateError(
          `Cannot create ${path} to own the lock file ${lockPath} (${code ?? (e as Error).message}).`,
          {
            option: 'lock',
            suggestion: "Make the lock file's directory writable, or choose another place for the lock file.",
            cause: e,
          },
        );
      }
    }
    const seen = await readText(path);
    if (seen === undefined) continue;
    const held = parseOwner(seen);
    if (round === 0 && (await isStale(path, held, isAlive))) {
      // Moved aside and checked, not deleted blindly: when another run took the stale file over
      // in the meantime, what was moved is its fresh file, which goes back and holds.
      const aside = `${path}.stale-${me.token}`;
      if (
        await rename(path, aside).then(
          () => true,
          () => false,
        )
      ) {
        const moved = await readText(aside);
        if (moved !== seen) await link(aside, path).catch(() => undefined);
        await unlink(aside).catch(() => undefined);
        if (moved !== seen) throw heldBy(lockPath, path, moved === undefined ? undefined : parseOwner(moved));
      }
      continue;
    }
    throw heldBy(lockPath, path, held);
  }
  const last = await readText(path);
  throw heldBy(lockPath, path, last === undefined ? undefined : parseOwner(last));
}

/** The owner file's text; undefined when there is none. */
async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return '';
  }
}

function parseOwner(text: string): OwnerRecord | undefined {
  try {
    const v = JSON.parse(text) as Partial<OwnerRecord>;
    return typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.token === 'string'
      ? (v as OwnerRecord)
      : undefined;
  } catch {
    return undefined;
  }
}

async function isStale(
  path: string,
  held: OwnerRecord | undefined,
  isAlive: (pid: number) => boolean,
): Promise<boolean> {
  if (!held) {
    const st = await stat(path).catch(() => undefined);
    return !st || Date.now() - st.mtimeMs > UNREADABLE_GRACE_MS;
  }
  return held.host === hostname() && !isAlive(held.pid);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: a process of another user has that pid; it is alive.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function releaseIfOurs(path: string, token: string): Promise<void> {
  const text = await readText(path);
  if (text !== undefined && parseOwner(text)?.token === token) await unlink(path).catch(() => undefined);
}

function heldBy(lockPath: string, path: string, held: OwnerRecord | undefined): LockBusyError {
  const who = held ? `process ${held.pid} on ${held.host}, since ${held.started}` : 'another run';
  return new LockBusyError(
    `The lock file ${lockPath} is in use by another flux-krea batch (${who}); nothing was sent.`,
    path,
  );
}
