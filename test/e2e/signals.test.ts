/**
 * A closed terminal (SIGHUP), SIGQUIT and SIGTERM end a run like Ctrl-C does, with exit code
 * 128 + the signal's number (issue 12, item 3). A job being waited for keeps its request id
 * and resume command. The server here answers every status poll only when the test says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runCli, sandbox } from '../helpers/cli.js';

let server: Server;
let url: string;
const held: ServerResponse[] = [];
let polled: () => void = () => undefined;

beforeAll(async () => {
  // Every request is held open: the CLI is "waiting for the job" until it is signalled.
  server = createServer((_req, res) => {
    held.push(res);
    polled();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const res of held) res.destroy();
  await new Promise((r) => server.close(r));
});

describe('signals', () => {
  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGHUP', 129],
    ['SIGQUIT', 131],
    ['SIGINT', 130],
  ] as const) {
    it(`${signal} while waiting: exit ${code}, the request id and the resume command`, async () => {
      const sb = await sandbox(undefined, {
        SEGMIND_BASE_URL: url,
        SEGMIND_UPLOAD_URL: `${url}/upload`,
        SEGMIND_API_KEY: 'SG_0123456789abcdef',
      });
      try {
        const firstPoll = new Promise<void>((r) => {
          polled = r;
        });
        const child = runCli(['result', 'abcdef0123456789abcdef0123456789', '--interval', '0.01'], sb) as ReturnType<
          typeof runCli
        > & { kill(signal: string): boolean };
        await firstPoll;
        child.kill(signal);
        const r = await child;
        expect(r.exitCode).toBe(code);
        expect(String(r.stderr)).toContain('abcdef0123456789abcdef0123456789');
        expect(String(r.stderr)).toContain('flux-krea result abcdef0123456789abcdef0123456789');
      } finally {
        await sb.cleanup();
      }
    });
  }
});
