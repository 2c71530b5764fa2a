/** `auth login|status|logout`: the key stored with mode 0600, masked, never printed. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, sandbox, type Sandbox } from '../helpers/cli.js';
import { runMain } from '../helpers/main.js';
import { startEmulator, type Emulator } from '../emulator/index.js';

const KEY = 'SG_00112233445566aa';
let sb: Sandbox;
let emu: Emulator;
// The key is checked against the emulator's credits endpoint, never the real service.
beforeEach(async () => {
  emu = await startEmulator({ apiKeys: [KEY, 'SG_ffffffffffff9999'], credits: 41.3 });
  sb = await sandbox(undefined, { SEGMIND_BASE_URL: emu.url });
});
afterEach(async () => {
  await sb.cleanup();
  await emu.close();
});

describe('auth', () => {
  it('login reads a piped key, stores it 0600 in FLUX_KREA_CONFIG_DIR and never echoes it', async () => {
    const r = await runCli(['auth', 'login'], sb, { input: `${KEY}\n`, stdin: undefined });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout) + String(r.stderr)).not.toContain(KEY);
    const file = join(sb.configDir, 'config.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8')).apiKey).toBe(KEY);

    const s = await runMain(['auth', 'status', '--json'], sb);
    expect(s.exitCode).toBe(0);
    const info = JSON.parse(String(s.stdout));
    expect(info).toMatchObject({
      schema_version: 1,
      logged_in: true,
      source: 'config',
      config_path: file,
      key_works: true,
      credits: 41.3,
      free_credits: 0.018,
    });
    expect(info.key).toMatch(/^SG_\*+66aa$/);
    expect(String(s.stdout)).not.toContain(KEY);
  });

  it('SEGMIND_API_KEY wins over the stored key', async () => {
    await runCli(['auth', 'login'], sb, { input: KEY, stdin: undefined });
    const s = await runMain(['auth', 'status'], { ...sb, env: { ...sb.env, SEGMIND_API_KEY: 'SG_ffffffffffff9999' } });
    expect(String(s.stdout)).toContain('SEGMIND_API_KEY');
    expect(String(s.stdout)).toContain('9999');
    expect(String(s.stdout)).not.toContain('SG_ffffffffffff9999');
  });

  it('logout removes the key; status then exits 3', async () => {
    await runCli(['auth', 'login'], sb, { input: KEY, stdin: undefined });
    const out = await runMain(['auth', 'logout'], sb);
    expect(out.exitCode).toBe(0);
    expect(String(out.stderr)).toContain('Removed');
    const s = await runMain(['auth', 'status'], sb);
    expect(s.exitCode).toBe(3);
    expect(String(s.stdout)).toContain('no key');
  });

  it('login checks the key first: a rejected key (401) exits 3 and stores nothing', async () => {
    const r = await runCli(['auth', 'login'], sb, { input: 'SG_0000000000000bad', stdin: undefined });
    expect(r.exitCode).toBe(3);
    expect(String(r.stderr)).toMatch(/rejected the key SG_\*+0bad.*Nothing was stored/s);
    // Two sentences, not one run-on: the server's text ends without a full stop.
    expect(String(r.stderr)).toMatch(/[.!?] Nothing was stored\./);
    expect(String(r.stderr)).not.toContain('SG_0000000000000bad');
    await expect(readFile(join(sb.configDir, 'config.json'), 'utf8')).rejects.toThrow();
    expect(emu.log.filter((l) => l.path === '/v1/get-user-credits')).toHaveLength(1);
  });

  it('login when Segmind cannot be reached says so, stores nothing, and stores only with --no-verify', async () => {
    await emu.close();
    const down = await runCli(['auth', 'login'], sb, { input: KEY, stdin: undefined });
    expect(down.exitCode).toBe(1);
    expect(String(down.stderr)).toContain('Could not reach Segmind to check the key');
    expect(String(down.stderr)).toContain('--no-verify');
    await expect(readFile(join(sb.configDir, 'config.json'), 'utf8')).rejects.toThrow();
    const unchecked = await runCli(['auth', 'login', '--no-verify'], sb, { input: KEY, stdin: undefined });
    expect(unchecked.exitCode).toBe(0);
    expect(String(unchecked.stderr)).toContain('not checked');
    expect(JSON.parse(await readFile(join(sb.configDir, 'config.json'), 'utf8')).apiKey).toBe(KEY);
    // status then says the key could not be checked: exit 1, not 0 and not 3.
    const s = await runMain(['auth', 'status', '--json'], sb);
    expect(s.exitCode).toBe(1);
    expect(JSON.parse(s.stdout)).toMatchObject({ logged_in: true, key_works: null });
  });

  it('status says when the stored key is rejected (exit 3) and shows the balance when it works', async () => {
    await runCli(['auth', 'login'], sb, { input: KEY, stdin: undefined });
    const ok = await runMain(['auth', 'status'], sb);
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toContain('works · 41.30 credits (+ 0.018 free)');
    emu.configure({ apiKeys: ['SG_somethingelse00'] });
    const bad = await runMain(['auth', 'status'], sb);
    expect(bad.exitCode).toBe(3);
    expect(bad.stdout).toMatch(/rejected by Segmind/);
  });

  it('an empty key is refused', async () => {
    const r = await runCli(['auth', 'login'], sb, { input: '\n', stdin: undefined });
    expect(r.exitCode).toBe(2);
  });
});
