/**
 * Commands return their exit code and main() returns it: nothing below main writes
 * process.exitCode (issue 10, item 4). In-process, with a temp config dir and captured streams.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.js';
import { streamOutput } from '../../src/cli/output.js';
import { startEmulator } from '../emulator/index.js';

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => {
    text += c.toString();
  });
  return { out: streamOutput(stream), text: () => text };
}

async function run(args: string[], env: NodeJS.ProcessEnv) {
  const stdout = capture();
  const stderr = capture();
  const code = await main(['node', 'flux-krea', ...args], env, stdout.out, stderr.out);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('exit codes come back from main()', () => {
  const before = process.exitCode;
  afterEach(() => {
    process.exitCode = before;
  });

  it('auth status without a key: 3, and process.exitCode is left alone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flux-krea-main-'));
    process.exitCode = undefined;
    const r = await run(['auth', 'status', '--json'], { FLUX_KREA_CONFIG_DIR: dir });
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ logged_in: false });
    expect(process.exitCode).toBeUndefined();
  });

  it('auth status with a key that works: 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flux-krea-main-'));
    // auth status checks the key: with the emulator, never the real service.
    const emu = await startEmulator();
    try {
      const r = await run(['auth', 'status'], {
        FLUX_KREA_CONFIG_DIR: dir,
        SEGMIND_API_KEY: emu.apiKey,
        SEGMIND_BASE_URL: emu.url,
      });
      expect(r.code).toBe(0);
      expect(r.stdout).not.toContain('0123456789abcdef');
    } finally {
      await emu.close();
    }
  });

  it('a batch that fails before any request: 2 from the thrown usage error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flux-krea-main-'));
    const manifest = join(dir, 'm.jsonl');
    await writeFile(manifest, '{"prompt": ""}\n');
    const r = await run(['batch', manifest, '--dry-run'], { FLUX_KREA_CONFIG_DIR: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nothing was sent/);
  });

  it('a dry run: 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flux-krea-main-'));
    const r = await run(['a cat', '--dry-run', '--json'], { FLUX_KREA_CONFIG_DIR: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ method: 'POST' });
  });
});
