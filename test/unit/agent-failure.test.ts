/**
 * undici and its Agent load at the first request (src/api/undici.ts): a failure there must
 * surface as itself, once, and not as a network error that is retried (for a submit, a network
 * error after sending means "the job may exist"). close() must still work afterwards.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

const broken = new Error('undici could not be loaded');
vi.mock('../../src/api/undici.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/api/undici.js')>()),
  newAgent: () => Promise.reject(broken),
}));

const { SegmindClient } = await import('../../src/api/client.js');
const { ConnectionError } = await import('../../src/errors.js');
const { saveImage } = await import('../../src/output/download.js');

describe('an Agent that cannot be made', () => {
  it('fails the request with its own error, without retrying', async () => {
    const waits: number[] = [];
    const client = new SegmindClient({
      apiKey: 'SG_0123456789abcdef',
      baseUrl: 'http://127.0.0.1:9',
      retries: 3,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const failed = await client.credits().catch((e: unknown) => e);
    expect(failed).toBe(broken);
    expect(failed).not.toBeInstanceOf(ConnectionError);
    expect(waits).toEqual([]);
  });

  it('does not make close() throw', async () => {
    const client = new SegmindClient({ apiKey: 'SG_0123456789abcdef', baseUrl: 'http://127.0.0.1:9', retries: 0 });
    await client.credits().catch(() => undefined);
    await expect(client.close()).resolves.toBeUndefined();
  });

  it('fails a download with its own error, not as a network error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flux-krea-agent-'));
    const waits: number[] = [];
    const failed = await saveImage(
      { kind: 'url', url: 'http://127.0.0.1:9/image.jpg' },
      { dir, stem: 'x', retries: 3, sleep: async (ms) => void waits.push(ms) },
    ).catch((e: unknown) => e);
    expect(failed).toBe(broken);
    expect(waits).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
    await rm(dir, { recursive: true });
  });
});
