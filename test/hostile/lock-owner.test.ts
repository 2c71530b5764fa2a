/**
 * Issue 12 item 2: one batch run per lock file. The owner file is exclusive; a live owner
 * stops a second run with a message that names it; a dead one (SIGKILL) is taken over;
 * release removes only the run's own file.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';
import { acquireLockOwner, ownerPath } from '../../src/store/lock-owner.js';
import { LocalStateError } from '../../src/errors.js';

let dir: string;
let lock: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flux-krea-owner-'));
  lock = join(dir, 'm.jsonl.lock.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the lock owner', () => {
  it('a second acquire, while the first holds, fails naming the holder; after release it succeeds', async () => {
    const first = await acquireLockOwner(lock);
    const err = await acquireLockOwner(lock).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LocalStateError);
    expect((err as Error).message).toContain(lock);
    expect((err as Error).message).toContain(`process ${process.pid} on ${hostname()}`);
    await first.release();
    const second = await acquireLockOwner(lock);
    await second.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('ten acquires at once: exactly one wins', async () => {
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => acquireLockOwner(lock)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('an owner whose process is gone (SIGKILL) is taken over', async () => {
    await writeFile(
      ownerPath(lock),
      JSON.stringify({ pid: 999_999, host: hostname(), token: 'dead', started: 'then' }),
    );
    const owner = await acquireLockOwner(lock, { isAlive: (pid) => pid !== 999_999 });
    expect(JSON.parse(await readFile(ownerPath(lock), 'utf8')).pid).toBe(process.pid);
    await owner.release();
  });

  it('a live owner on another host holds (it cannot be checked); a garbled fresh file holds, an old one is stale', async () => {
    await writeFile(ownerPath(lock), JSON.stringify({ pid: 1, host: 'elsewhere', token: 't', started: 'then' }));
    await expect(acquireLockOwner(lock, { isAlive: () => false })).rejects.toThrow(/process 1 on elsewhere/);
    await writeFile(ownerPath(lock), '{"pi');
    await expect(acquireLockOwner(lock)).rejects.toThrow(LocalStateError);
    const old = new Date(Date.now() - 60_000);
    await utimes(ownerPath(lock), old, old);
    await (await acquireLockOwner(lock)).release();
  });

  it("release leaves a file that is no longer ours; a symlink in the owner's place is never followed", async () => {
    const owner = await acquireLockOwner(lock);
    await writeFile(ownerPath(lock), JSON.stringify({ pid: 1, host: 'x', token: 'someone-else', started: 'now' }));
    await owner.release();
    expect(await readFile(ownerPath(lock), 'utf8')).toContain('someone-else');
    await rm(ownerPath(lock));
    const target = join(dir, 'target');
    await symlink(target, ownerPath(lock));
    await expect(acquireLockOwner(lock)).rejects.toThrow(LocalStateError);
    await expect(readFile(target)).rejects.toThrow(/ENOENT/);
  });
});
