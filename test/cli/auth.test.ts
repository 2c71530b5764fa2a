/** `auth login|status|logout`: the key stored with mode 0600, masked, never printed. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, sandbox, type Sandbox } from '../helpers/cli.js';
import { runMain } from '../helpers/main.js';

const KEY = 'SG_00112233445566aa';
let sb: Sandbox;
beforeEach(async () => { sb = await sandbox(); });
afterEach(async () => { await sb.cleanup(); });

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
    expect(info).toMatchObject({ logged_in: true, source: 'config', config_path: file });
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

  it('an empty key is refused', async () => {
    const r = await runCli(['auth', 'login'], sb, { input: '\n', stdin: undefined });
    expect(r.exitCode).toBe(2);
  });
});
