/**
 * Issue 12 item 11: the API key, and anything shaped like a Segmind key, never leaves the
 * process in any message: server echoes (also in --json and the journal), a refused
 * `--api-key=...`, a malformed config file that holds the key.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sandbox, type Sandbox } from '../helpers/cli.js';
import { runMain } from '../helpers/main.js';
import { scriptedServer, sendJson, type Scripted } from '../helpers/scripted-server.js';

const KEY = 'SG_0123456789abcdef';
const OTHER = 'SG_fedcba9876543210';
let server: Scripted | undefined;
let sb: Sandbox | undefined;
afterEach(async () => {
  await server?.close();
  await sb?.cleanup();
  server = sb = undefined;
});

function leaks(text: string): boolean {
  return text.includes(KEY) || text.includes(OTHER) || text.includes('0123456789abcdef');
}

describe('the key never leaves the process', () => {
  it('a 401 that echoes the key (and another key-shaped string): not in stderr, --json or the journal', async () => {
    server = await scriptedServer((_req, res) =>
      sendJson(res, 401, { error: `Invalid API key: ${KEY} (also tried ${OTHER})` }),
    );
    sb = await sandbox(undefined, { SEGMIND_BASE_URL: server.url, SEGMIND_API_KEY: KEY });
    const plain = await runMain(['a cat', '-o', sb.outDir], sb);
    expect(plain.exitCode).toBe(3);
    expect(plain.stderr).toMatch(/Invalid API key/);
    expect(leaks(plain.stderr + plain.stdout)).toBe(false);
    const json = await runMain(['a cat', '--json', '-o', sb.outDir], sb);
    expect(json.exitCode).toBe(3);
    expect(JSON.parse(json.stdout).error.message).toMatch(/Invalid API key/);
    expect(leaks(json.stderr + json.stdout)).toBe(false);
  });

  it('a server that echoes the key in a FAILED job: not in the journal or the output', async () => {
    server = await scriptedServer((req, res) => {
      if (req.method === 'POST') return sendJson(res, 200, { request_id: 'a'.repeat(32), status: 'QUEUED' });
      sendJson(res, 422, { status: 'FAILED', error: `bad key header ${KEY}` });
    });
    sb = await sandbox(undefined, { SEGMIND_BASE_URL: server.url, SEGMIND_API_KEY: KEY });
    const r = await runMain(['a cat', '-o', sb.outDir, '--interval', '0.01'], sb);
    expect(r.exitCode).toBe(6);
    expect(leaks(r.stderr + r.stdout)).toBe(false);
    const journal = await readFile(join(sb.configDir, 'state', 'jobs.jsonl'), 'utf8');
    expect(journal).toMatch(/bad key header/);
    expect(leaks(journal)).toBe(false);
  });

  it('--api-key=<key> is refused without echoing the key', async () => {
    sb = await sandbox();
    for (const args of [
      ['a cat', `--api-key=${KEY}`],
      ['a cat', '--api-key', KEY],
      ['batch', 'm.jsonl', `--api-key=${KEY}`],
    ]) {
      const r = await runMain(args, sb);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/--api-key/);
      expect(r.stderr).toMatch(/never takes the key as an argument/);
      expect(leaks(r.stderr + r.stdout)).toBe(false);
      const j = await runMain([...args, '--json'], sb);
      expect(leaks(j.stderr + j.stdout)).toBe(false);
    }
  });

  it('a malformed config file holding the key: the error names the file, not its content', async () => {
    sb = await sandbox();
    await mkdir(sb.configDir, { recursive: true });
    await writeFile(join(sb.configDir, 'config.json'), `{"apiKey": "${KEY}" "defaults": {}}`);
    for (const args of [
      ['a cat', '-o', sb.outDir],
      ['auth', 'status'],
      ['config', 'set', 'format', 'png'],
      ['config', 'list', '--json'],
    ]) {
      const r = await runMain(args, sb);
      expect(r.stderr + r.stdout).toContain(join(sb.configDir, 'config.json'));
      expect(r.stderr).not.toMatch(/This is a bug/);
      expect(r.exitCode).toBe(9);
      expect(leaks(r.stderr + r.stdout)).toBe(false);
    }
  });
});

describe('state files never hold a key', () => {
  it('a journal event and a lock record whose error text quotes a key are written scrubbed', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { Journal } = await import('../../src/store/journal.js');
    const { LockFile } = await import('../../src/store/lock.js');
    const dir = await mkdtemp(join(tmpdir(), 'flux-krea-secret-state-'));
    try {
      const journal = new Journal(dir);
      await journal.record({ id: 'x1', createdAt: new Date().toISOString(), state: 'failed', error: `refused ${KEY}` });
      expect(leaks(await readFile(join(dir, 'jobs.jsonl'), 'utf8'))).toBe(false);
      const lock = await LockFile.load(join(dir, 'm.lock.json'), 'm');
      await lock.set('e', {
        hash: 'h',
        state: 'failed',
        params: {},
        files: [],
        error: `download of https://x/?k=${OTHER} failed`,
      });
      await lock.close();
      const text = await readFile(join(dir, 'm.lock.json'), 'utf8');
      expect(text).toMatch(/download of/);
      expect(leaks(text)).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
