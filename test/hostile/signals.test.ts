/**
 * Issue 12 item 3, the paid-job half: a terminal closed (SIGHUP) or SIGQUIT while the submit
 * is on the wire. The job is billed when Segmind answers, so the run waits for that answer,
 * journals the job and shows its id and resume command, then exits 128 + the signal number.
 * (test/e2e/signals.test.ts covers the signals while waiting for a job.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { runCli, sandbox, type Sandbox } from '../helpers/cli.js';
import { scriptedServer, sendJson, type Scripted } from '../helpers/scripted-server.js';

const ID = 'fedcba9876543210fedcba9876543210';
let server: Scripted | undefined;
let sb: Sandbox | undefined;
const held: ServerResponse[] = [];
afterEach(async () => {
  for (const r of held.splice(0)) r.destroy();
  await server?.close();
  await sb?.cleanup();
  server = sb = undefined;
});

describe('a signal during the submit', () => {
  for (const [signal, code] of [
    ['SIGHUP', 129],
    ['SIGQUIT', 131],
  ] as const) {
    it(`${signal}: the billed job is journaled and shown, exit ${code}, no .part left`, async () => {
      let submitted: (res: ServerResponse) => void = () => undefined;
      const submit = new Promise<ServerResponse>((resolve) => {
        submitted = resolve;
      });
      server = await scriptedServer((req, res) => {
        if (req.method === 'POST') return submitted(res);
        held.push(res); // polls are never answered: the run is still waiting when it ends
      });
      sb = await sandbox(undefined, { SEGMIND_BASE_URL: server.url, SEGMIND_API_KEY: 'SG_0123456789abcdef' });
      const child = runCli(['a cat', '-o', sb.outDir, '--interval', '0.01'], sb) as ReturnType<typeof runCli> & {
        kill(s: string): boolean;
      };
      const res = await submit;
      child.kill(signal);
      // The answer arrives after the signal: the job exists and is billed either way.
      setTimeout(() => sendJson(res, 200, { request_id: ID, status: 'QUEUED' }), 200);
      const r = await child;
      expect(r.exitCode).toBe(code);
      expect(String(r.stderr)).toContain(`flux-krea result ${ID}`);
      const journal = await readFile(join(sb.configDir, 'state', 'jobs.jsonl'), 'utf8');
      expect(journal).toContain(ID);
      expect((await readdir(sb.outDir)).filter((f) => f.endsWith('.part'))).toEqual([]);
    });
  }
});
