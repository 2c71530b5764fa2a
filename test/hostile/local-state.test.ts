/**
 * Issue 12, local state: a sidecar never overwrites (15), broken local files give a clear
 * message naming the file and exit 9, never "This is a bug" (16), and a project file is looked
 * for only up to the repository root or home, never one owned by another user (18).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { FAST, sandbox, type Sandbox } from '../helpers/cli.js';
import { runMain } from '../helpers/main.js';
import { findProjectFile } from '../../src/store/settings.js';

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

describe('item 15: --metadata sidecar never overwrites', () => {
  it('an existing <image>.json (a file, or a symlink to one) is kept byte for byte; the run warns and exits 0', async () => {
    await mkdir(sb.outDir, { recursive: true });
    const target = join(sb.dir, 'precious.txt');
    await writeFile(target, 'precious');
    await writeFile(join(sb.outDir, 'a-cat-5-1.jpg.json'), 'mine');
    await symlink(target, join(sb.outDir, 'a-cat-5-2.jpg.json'));
    const r = await runMain(['a cat', '--seed', '5', '-n', '2', '--metadata', 'sidecar', '-o', sb.outDir, ...FAST], sb);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.split('\n').map((p) => p.split('/').pop())).toEqual(['a-cat-5-1.jpg', 'a-cat-5-2.jpg']);
    expect(await readFile(join(sb.outDir, 'a-cat-5-1.jpg.json'), 'utf8')).toBe('mine');
    expect(await readFile(target, 'utf8')).toBe('precious');
    expect(r.stderr).toMatch(/a-cat-5-1\.jpg\.json already exists/);
    expect((await readdir(sb.outDir)).filter((f) => f.endsWith('.part'))).toEqual([]);
  });
});

describe('item 16: broken local state is named, exit 9, never "a bug"', () => {
  const garbage = ['{"apiKey": ', '[1, 2]', '{"defaults": "png"}', '{"apiKey": 42}'];
  for (const text of garbage) {
    it(`config.json = ${JSON.stringify(text)} under generate, batch, config set, config list`, async () => {
      await mkdir(sb.configDir, { recursive: true });
      const config = join(sb.configDir, 'config.json');
      await writeFile(config, text);
      await writeFile(join(sb.dir, 'm.txt'), 'a cat\n');
      const submitsBefore = emu.submits();
      const runs = [
        await runMain(['a cat', '-o', sb.outDir, ...FAST], sb),
        await runMain(['batch', 'm.txt', '-o', sb.outDir, ...FAST], sb),
        await runMain(['config', 'set', 'format', 'png'], sb),
        await runMain(['config', 'list'], sb),
      ];
      for (const r of runs) {
        expect(r.stderr).toContain(config);
        expect(r.stderr).not.toMatch(/bug/);
        expect(r.exitCode).toBe(9);
      }
      expect(emu.submits()).toBe(submitsBefore);
      expect(await readFile(config, 'utf8')).toBe(text);
    });
  }

  it('a config directory that cannot be made (its parent is a file): config set and config path name it, exit 9', async () => {
    const blocker = join(sb.dir, 'not-a-dir');
    await writeFile(blocker, '');
    const env = { ...sb.env, FLUX_KREA_CONFIG_DIR: join(blocker, 'config') };
    for (const args of [
      ['config', 'set', 'format', 'png'],
      ['config', 'path'],
    ]) {
      const r = await runMain(args, sb, { env });
      expect(r.stderr).toContain(join(blocker, 'config'));
      expect(r.stderr).not.toMatch(/bug/);
      expect(r.exitCode).toBe(9);
    }
  });
});

describe('item 16: a huge --image', () => {
  it('a 500 MB input image is refused before it is read or anything is sent: exit 2, naming the flag, size and limit', async () => {
    const { open } = await import('node:fs/promises');
    const big = join(sb.dir, 'big.png');
    const fh = await open(big, 'w');
    await fh.write(Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
    await fh.truncate(500 * 1024 * 1024); // sparse: costs no disk
    await fh.close();
    const before = emu.log.length;
    const started = Date.now();
    const r = await runMain(['a cat', '--image', big, '-o', sb.outDir, ...FAST], sb);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--image/);
    expect(r.stderr).toMatch(/500 MB/);
    expect(r.stderr).toMatch(/64 MB/);
    expect(r.stderr).not.toMatch(/bug/);
    expect(emu.log.length).toBe(before);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('item 16: a huge image in a manifest', () => {
  it('is one of the problems listed before anything is sent (exit 2), never read whole', async () => {
    const { open } = await import('node:fs/promises');
    const big = join(sb.dir, 'big.png');
    const fh = await open(big, 'w');
    await fh.write(Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
    await fh.truncate(500 * 1024 * 1024);
    await fh.close();
    await writeFile(
      join(sb.dir, 'm.jsonl'),
      '{"prompt": "a cat", "image": "big.png"}\n{"prompt": "a dog", "image": "/dev/zero"}',
    );
    const before = emu.log.length;
    const r = await runMain(['batch', 'm.jsonl', '-o', sb.outDir, ...FAST], sb);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/m\.jsonl:1: .*500 MB; an input image may be at most 64 MB/);
    expect(r.stderr).toMatch(/m\.jsonl:2: /);
    expect(emu.log.length).toBe(before);
  });
});

describe('item 18: where a project file is honoured', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'flux-krea-project-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('a file above the home directory (a shared /tmp) is not read; one in home is', async () => {
    const home = join(root, 'home');
    await mkdir(join(home, 'work', 'deep'), { recursive: true });
    await writeFile(join(root, 'flux-krea.config.json'), '{"num_outputs": 4}');
    expect(findProjectFile(join(home, 'work', 'deep'), { home })).toBeUndefined();
    await writeFile(join(home, 'flux-krea.config.json'), '{}');
    expect(findProjectFile(join(home, 'work', 'deep'), { home })).toBe(join(home, 'flux-krea.config.json'));
  });

  it('the search stops at the repository root', async () => {
    const repo = join(root, 'repo');
    await mkdir(join(repo, '.git'), { recursive: true });
    await mkdir(join(repo, 'sub'), { recursive: true });
    await writeFile(join(root, 'flux-krea.config.json'), '{"num_outputs": 4}');
    expect(findProjectFile(join(repo, 'sub'), { home: '/nonexistent-home' })).toBeUndefined();
    await writeFile(join(repo, 'flux-krea.config.json'), '{}');
    expect(findProjectFile(join(repo, 'sub'), { home: '/nonexistent-home' })).toBe(join(repo, 'flux-krea.config.json'));
  });

  it("another user's file, or a symlink, is never read", async () => {
    const file = join(root, 'flux-krea.config.json');
    await writeFile(file, '{"num_outputs": 4}');
    const mine = (await stat(file)).uid;
    expect(findProjectFile(root, { home: root, uid: mine })).toBe(file);
    expect(findProjectFile(root, { home: root, uid: mine + 1 })).toBeUndefined();
    await rm(file);
    await writeFile(join(root, 'elsewhere.json'), '{"num_outputs": 4}');
    await symlink(join(root, 'elsewhere.json'), file);
    expect(findProjectFile(root, { home: root, uid: mine })).toBeUndefined();
  });

  it('end to end: a planted file above home does not raise num_outputs (dry run)', async () => {
    const home = join(root, 'home');
    await mkdir(home, { recursive: true });
    await writeFile(join(root, 'flux-krea.config.json'), '{"num_outputs": 4}');
    const r = await runMain(['a cat', '--dry-run', '--json'], sb, { cwd: home, env: { ...sb.env, HOME: home } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/"num_outputs": 2/);
  });
});

describe('item 14: state files are not written through symlinks', () => {
  it('a symlinked config.json: auth login and config set refuse, the target keeps its content and mode', async () => {
    const { chmod, lstat: lst, readlink } = await import('node:fs/promises');
    const { execa } = await import('execa');
    await mkdir(sb.configDir, { recursive: true });
    const target = join(sb.dir, 'victim.json');
    await writeFile(target, '{}');
    await chmod(target, 0o644);
    await symlink(target, join(sb.configDir, 'config.json'));
    const set = await runMain(['config', 'set', 'format', 'png'], sb);
    expect(set.exitCode).toBe(9);
    expect(set.stderr).toMatch(/symbolic link/);
    const { BIN } = await import('../helpers/cli.js');
    const login = await execa(process.execPath, [BIN, 'auth', 'login'], {
      env: { PATH: process.env.PATH ?? '', HOME: sb.dir, ...sb.env },
      extendEnv: false,
      input: 'SG_0123456789abcdef',
      reject: false,
      cwd: sb.dir,
    });
    expect(login.exitCode).toBe(9);
    expect(await readFile(target, 'utf8')).toBe('{}');
    expect((await stat(target)).mode & 0o777).toBe(0o644);
    expect((await lst(join(sb.configDir, 'config.json'))).isSymbolicLink()).toBe(true);
    expect(await readlink(join(sb.configDir, 'config.json'))).toBe(target);
  });

  it('a new config file is 0600 in a 0700 directory', async () => {
    const r = await runMain(['config', 'set', 'format', 'png'], sb);
    expect(r.exitCode, r.stderr).toBe(0);
    expect((await stat(join(sb.configDir, 'config.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(sb.configDir)).mode & 0o777).toBe(0o700);
  });
});
