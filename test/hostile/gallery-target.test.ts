/**
 * The gallery's -o (and batch --gallery) is the one file flux-krea writes that the user names
 * freely. A slip (`gallery m.jsonl -o m.jsonl.lock.json`, `--gallery m.jsonl`) used to replace
 * the manifest or the lock, so the next batch paid again for every entry. Only a page that
 * flux-krea wrote itself is ever replaced.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { renderImage } from '../emulator/images/index.js';
import { FAST, sandbox, type Sandbox } from '../helpers/cli.js';
import { runMain } from '../helpers/main.js';

let emu: Emulator;
let sb: Sandbox;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  sb = await sandbox(emu);
});
afterEach(async () => {
  await sb.cleanup();
});

const MANIFEST = '{"name": "a", "prompt": "a cat", "num_outputs": 1, "megapixels": "0.25"}\n';

describe('gallery -o never replaces a file it did not write', () => {
  it('refuses the manifest, its lock and an image (exit 2, each kept byte for byte); replaces its own page', async () => {
    await writeFile(join(sb.dir, 'm.jsonl'), MANIFEST);
    const run = await runMain(['batch', 'm.jsonl', '-o', 'art', ...FAST], sb);
    expect(run.exitCode, run.stderr).toBe(0);
    for (const target of ['m.jsonl', 'm.jsonl.lock.json', 'art/a.jpg']) {
      const before = await readFile(join(sb.dir, target));
      const r = await runMain(['gallery', 'm.jsonl', '-o', target], sb);
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toContain(`--out: ${target} already exists and is not a gallery that flux-krea wrote`);
      expect(r.stdout).toBe('');
      expect(await readFile(join(sb.dir, target))).toEqual(before);
    }
    const first = await runMain(['gallery', 'm.jsonl', '-o', 'g.html'], sb);
    expect(first.exitCode, first.stderr).toBe(0);
    const again = await runMain(['gallery', 'm.jsonl', '-o', 'g.html', '--title', 'second'], sb);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(await readFile(join(sb.dir, 'g.html'), 'utf8')).toContain('<title>second</title>');
  });

  it('batch --gallery naming the manifest stops before anything is sent (exit 2)', async () => {
    await writeFile(join(sb.dir, 'm.jsonl'), MANIFEST);
    const submits = emu.submits();
    const r = await runMain(['batch', 'm.jsonl', '-o', 'art', '--gallery', 'm.jsonl', ...FAST], sb);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toContain('--gallery: m.jsonl already exists and is not a gallery that flux-krea wrote');
    expect(await readFile(join(sb.dir, 'm.jsonl'), 'utf8')).toBe(MANIFEST);
    expect(emu.submits()).toBe(submits);
  });
});

describe('gallery: the paths a lock names stay in its directory', () => {
  it('a lock naming ../ is shown without that image: no thumbnail and no link outside (a lock comes in pull requests)', async () => {
    await mkdir(join(sb.dir, 'private'), { recursive: true });
    await mkdir(join(sb.dir, 'repo'), { recursive: true });
    await writeFile(
      join(sb.dir, 'private', 'me.png'),
      renderImage({ format: 'png', width: 40, height: 30, quality: 90, key: 'me' }).bytes,
    );
    const params = { prompt: 'a planted entry', seed: 1, num_outputs: 1 };
    await writeFile(
      join(sb.dir, 'repo', 'm.jsonl.lock.json'),
      JSON.stringify({
        'flux-krea-lock': 1,
        entries: {
          x: {
            hash: 'h',
            state: 'done',
            request_id: 'r',
            params,
            files: [{ path: '../private/me.png', bytes: 1, sha256: 'x' }],
          },
        },
      }),
    );
    // As in CI: run in the checkout, whose lock climbs out of it.
    const r = await runMain(['gallery', 'm.jsonl.lock.json', '-o', 'g.html'], sb, { cwd: join(sb.dir, 'repo') });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('../private/me.png is not a plain file of the batch');
    const html = await readFile(join(sb.dir, 'repo', 'g.html'), 'utf8');
    expect(html).toContain('a planted entry');
    expect(html).not.toContain('data:image/jpeg;base64,');
    expect(html).not.toContain('private/me.png"');
  });

  it('a manifest in a subfolder whose -o is a sibling folder still gets its pictures (inside the folder the gallery is made in)', async () => {
    await mkdir(join(sb.dir, 'prompts'), { recursive: true });
    await writeFile(join(sb.dir, 'prompts', 'm.jsonl'), MANIFEST);
    const run = await runMain(['batch', 'prompts/m.jsonl', '-o', 'art', ...FAST], sb);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await readFile(join(sb.dir, 'prompts', 'm.jsonl.lock.json'), 'utf8')).toContain('"../art/a.jpg"');
    const r = await runMain(['gallery', 'prompts/m.jsonl', '-o', 'g.html'], sb);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await readFile(join(sb.dir, 'g.html'), 'utf8')).toContain('data:image/jpeg;base64,');
  });
});
