/**
 * One connection per job to the API (issue 18): the submit, every poll and the result fetch
 * share one keep-alive socket. The result request used to leave in the same tick as the last
 * poll's body ended, while undici still counted that socket busy, so it opened a second one:
 * on a real link a TCP + TLS handshake between "done" and "downloading".
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { SegmindClient } from '../../src/api/client.js';
import { SMALL_PARAMS } from '../helpers/params.js';

let emu: Emulator;
let client: SegmindClient;
const params = SMALL_PARAMS;

beforeEach(async () => {
  emu = await startEmulator();
  client = new SegmindClient({ apiKey: emu.apiKey, baseUrl: emu.url, sleep: async () => undefined });
});
afterEach(async () => {
  await client.close();
  await emu.close();
});

describe('connections', () => {
  it('submit, polls and the result fetch of several jobs in a row share one API connection', async () => {
    for (let i = 0; i < 3; i++) {
      const job = await client.submit(params);
      const result = await client.wait(job);
      expect(result.status).toBe('COMPLETED');
    }
    const api = emu.log.filter((r) => r.server === 'api');
    expect(api.filter((r) => /\/status$/.test(r.path)).length).toBeGreaterThanOrEqual(6);
    expect(api.filter((r) => r.method === 'GET' && !/\/status$/.test(r.path))).toHaveLength(3);
    expect(new Set(api.map((r) => r.connection))).toEqual(new Set([api[0]!.connection]));
  });
});
