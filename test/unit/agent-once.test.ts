/**
 * The Agent is made at the first request (src/api/http.ts): requests that start together share
 * one, and close() closes that one, even when it is called while the Agent is still being made.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Agent } from 'undici';

const made: Agent[] = [];
vi.mock('../../src/api/undici.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/api/undici.js')>();
  return {
    ...real,
    newAgent: async (...args: Parameters<typeof real.newAgent>) => {
      const agent = await real.newAgent(...args);
      made.push(agent as Agent);
      return agent;
    },
  };
});

const { startEmulator } = await import('../emulator/index.js');
const { SegmindClient } = await import('../../src/api/client.js');

describe('the lazily made Agent', () => {
  it('is made once for requests that start together, and closed by close()', async () => {
    const emu = await startEmulator();
    made.length = 0;
    const client = new SegmindClient({ apiKey: emu.apiKey, baseUrl: emu.url, uploadUrl: emu.uploadUrl });
    try {
      const balances = await Promise.all([client.credits(), client.credits(), client.credits()]);
      expect(balances).toHaveLength(3);
      expect(made).toHaveLength(1);
      await client.close();
      expect(made[0]!.closed).toBe(true);
    } finally {
      await emu.close();
    }
  });

  it('is closed by a close() that comes while it is being made', async () => {
    made.length = 0;
    const client = new SegmindClient({ apiKey: 'SG_0123456789abcdef', baseUrl: 'http://127.0.0.1:9' });
    const ask = client.http.dispatcher();
    await client.close();
    expect(made).toHaveLength(1);
    await ask;
    expect(made[0]!.closed).toBe(true);
  });
});
