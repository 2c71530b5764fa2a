/**
 * A batch whose lock file cannot be written stops before its first submit (issue 12, item 1):
 * otherwise every entry would be paid for on this run and again on each rerun. The lock here
 * is a dangling symbolic link: it reads as absent, and is never written through (issue 12,
 * item 14). Unlike chmod, this holds when the tests run as root.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lstat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { FAST, runCli, sandbox, type Sandbox } from '../helpers/cli.js';

let emu: Emulator;
let sb: Sandbox;
beforeEach(async () => {
  emu = await startEmulator({ credits: 1000 });
  sb = await sandbox(emu);
});
afterEach(async () => {
  await emu.close();
  await sb.cleanup();
});

describe('batch with a lock file that cannot be written', () => {
  it('exits 1 naming the lock file, and submits nothing', async () => {
    const manifest = join(sb.dir, 'm.txt');
    await writeFile(manifest, 'a red fox\na blue whale\n');
    const lock = join(sb.dir, 'm.lock.json');
    const target = join(sb.dir, 'elsewhere.json');
    await symlink(target, lock);
    const r = await runCli(['batch', manifest, '--lock', lock, '-o', sb.outDir, '-n', '1', ...FAST], sb);
    expect(r.exitCode).toBe(1);
    expect(String(r.stderr)).toContain('Cannot write the lock file');
    expect(emu.submits()).toBe(0);
    // Nothing was written through the link.
    await expect(lstat(target)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
