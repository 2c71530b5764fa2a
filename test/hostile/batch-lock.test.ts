/**
 * Issue 12 through `batch`: one run per lock (item 2: two runs never pay twice) and a lock's
 * paths are data (item 6: a lock naming a file outside the entry's directory never gets it
 * deleted; /dev/zero or a FIFO in a lock never hangs a run).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { FAST, runCli, billedSubmits, sandbox, type Sandbox } from '../helpers/cli.js';
import { runMain } from '../helpers/main.js';

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

const submits = () => billedSubmits(emu).length;
const FIVE = Array.from({ length: 5 }, (_, i) => `{"name": "e${i}", "prompt": "entry ${i}", "seed": ${i + 1}}`).join(
  '\n',
);

describe('item 2: one batch run per lock', () => {
  it('two runs started together on one manifest pay for each entry once', async () => {
    await writeFile(join(sb.dir, 'm.jsonl'), FIVE);
    const args = ['batch', 'm.jsonl', '-o', sb.outDir, '-n', '1', ...FAST];
    const [a, b] = await Promise.all([runCli(args, sb), runCli(args, sb)]);
    expect(submits()).toBe(5);
    const codes = [a.exitCode, b.exitCode].sort();
    // Either the second run found the lock in use (exit 9, nothing sent) or it came after the
    // first had finished and skipped every entry (exit 0, nothing sent).
    expect(codes[0]).toBe(0);
    expect([0, 9]).toContain(codes[1]);
    for (const r of [a, b]) if (r.exitCode === 9) expect(String(r.stderr)).toMatch(/in use by another flux-krea batch/);
  });

  it('a live owner stops the run before anything is sent (exit 9, named); once it is gone, the run takes the lock over', async () => {
    await writeFile(join(sb.dir, 'm.jsonl'), FIVE);
    const owner = spawn('sleep', ['30']);
    try {
      const lock = join(sb.dir, 'm.jsonl.lock.json');
      await writeFile(
        `${lock}.owner`,
        JSON.stringify({ pid: owner.pid, host: hostname(), token: 'other', started: 'earlier' }),
      );
      const held = await runMain(['batch', 'm.jsonl', '-o', sb.outDir, '-n', '1', ...FAST], sb);
      expect(held.exitCode).toBe(9);
      expect(held.stderr).toContain(`process ${owner.pid}`);
      expect(held.stderr).toContain(`${lock}.owner`);
      expect(submits()).toBe(0);
      // A dry run neither takes nor needs the lock.
      expect((await runMain(['batch', 'm.jsonl', '-o', sb.outDir, '--dry-run'], sb)).exitCode).toBe(0);
    } finally {
      owner.kill('SIGKILL');
      await new Promise((r) => owner.once('exit', r));
    }
    const after = await runMain(['batch', 'm.jsonl', '-o', sb.outDir, '-n', '1', ...FAST], sb);
    expect(after.exitCode, after.stderr).toBe(0);
    expect(submits()).toBe(5);
    await expect(readFile(join(sb.dir, 'm.jsonl.lock.json.owner'))).rejects.toThrow(/ENOENT/);
  });
});

describe("item 6: a lock's paths never leave the entry's directory", () => {
  async function lockWith(edit: (files: { path: string; bytes: number; sha256: string }[]) => void): Promise<string> {
    const path = join(sb.dir, 'm.jsonl.lock.json');
    const doc = JSON.parse(await readFile(path, 'utf8'));
    for (const rec of Object.values(doc.entries) as { files: { path: string; bytes: number; sha256: string }[] }[])
      edit(rec.files);
    await writeFile(path, JSON.stringify(doc));
    return path;
  }

  it('a lock that names a file outside -o (with its true digest) does not get it deleted when the entry changes', async () => {
    await writeFile(join(sb.dir, 'm.jsonl'), '{"name": "hero", "prompt": "a cat", "seed": 1}');
    expect((await runMain(['batch', 'm.jsonl', '-o', sb.outDir, '-n', '1', ...FAST], sb)).exitCode).toBe(0);
    const victim = join(sb.dir, 'victim.jpg');
    const image = await readFile(join(sb.outDir, 'hero.jpg'));
    await writeFile(victim, image);
    const sha256 = createHash('sha256').update(image).digest('hex');
    await lockWith((files) =>
      files.splice(
        0,
        files.length,
        { path: 'victim.jpg', bytes: image.length, sha256 },
        { path: '/etc/hostname', bytes: 1, sha256 },
      ),
    );
    await writeFile(join(sb.dir, 'm.jsonl'), '{"name": "hero", "prompt": "a dog", "seed": 1}');
    const r = await runMain(['batch', 'm.jsonl', '-o', sb.outDir, '-n', '1', ...FAST], sb);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await readFile(victim)).toEqual(image);
  });

  it('/dev/zero and a FIFO in a lock: --dry-run and a run end at once', async () => {
    await writeFile(
      join(sb.dir, 'm.jsonl'),
      '{"name": "hero", "prompt": "a cat", "seed": 1}\n{"name": "two", "prompt": "a dog", "seed": 2}',
    );
    expect((await runMain(['batch', 'm.jsonl', '-o', sb.outDir, '-n', '1', ...FAST], sb)).exitCode).toBe(0);
    execFileSync('mkfifo', [join(sb.outDir, 'fifo.jpg')]);
    let n = 0;
    await lockWith((files) => {
      files[0]!.path = n++ === 0 ? '/dev/zero' : 'out/fifo.jpg';
    });
    const started = Date.now();
    const dry = await runMain(['batch', 'm.jsonl', '-o', sb.outDir, '--dry-run'], sb);
    expect(dry.exitCode, dry.stderr).toBe(0);
    const real = await runMain(['batch', 'm.jsonl', '-o', sb.outDir, '-n', '1', ...FAST], sb);
    expect(real.exitCode, real.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
