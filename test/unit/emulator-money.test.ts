// The emulator's money switches (issue 14): a price that jumps, results that report no cost,
// an account without a balance record. Client and CLI budget tests lean on them.
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type EmulatorConfig } from '../emulator/index.js';
import { parseServeArgs } from '../emulator/serve.js';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function start(config: Partial<EmulatorConfig>): Promise<Emulator> {
  emu = await startEmulator({ queuedPolls: 0, processingPolls: 0, ...config });
  return emu;
}

async function call(e: Emulator, path: string, body?: unknown): Promise<Response> {
  return fetch(e.url + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'x-api-key': e.apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const job = { prompt: 'a lighthouse', megapixels: '0.25', output_format: 'png' };

async function resultOf(e: Emulator, images: number): Promise<Record<string, unknown>> {
  const { request_id: id } = (await (await call(e, '/v2/flux-krea-dev', { ...job, num_outputs: images })).json()) as {
    request_id: string;
  };
  return (await (await call(e, `/v2/requests/${id}`)).json()) as Record<string, unknown>;
}

describe('emulator money switches', () => {
  it('priceSteps: the 1st, 2nd, 3rd job are charged at their step, the last step repeats', async () => {
    const e = await start({ credits: 1, priceSteps: [0.01, 0.03] });
    expect((await resultOf(e, 2))['metrics']).toMatchObject({ cost: 0.02, remaining_credits: 0.98 });
    expect((await resultOf(e, 1))['metrics']).toMatchObject({ cost: 0.03, remaining_credits: 0.95 });
    expect((await resultOf(e, 2))['metrics']).toMatchObject({ cost: 0.06, remaining_credits: 0.89 });
  });

  it('reportCost false: v2 metrics and v1 headers say nothing of money, but the job is still billed', async () => {
    const e = await start({ credits: 1, reportCost: false });
    const metrics = (await resultOf(e, 1))['metrics'] as Record<string, unknown>;
    expect(metrics).not.toHaveProperty('cost');
    expect(metrics).not.toHaveProperty('remaining_credits');
    const v1 = await call(e, '/v1/flux-krea-dev', { ...job, num_outputs: 1 });
    expect(v1.status).toBe(200);
    expect(v1.headers.get('x-cost')).toBeNull();
    expect(v1.headers.get('x-remaining-credits')).toBeNull();
    expect(await (await call(e, '/v1/get-user-credits')).json()).toMatchObject({ credits: 0.98 });
  });

  it('creditsRecord false: get-user-credits answers 404 as observed upstream', async () => {
    const e = await start({ creditsRecord: false });
    const res = await call(e, '/v1/get-user-credits');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'No credits found for the user' });
  });

  it('the serve flags set them', () => {
    expect(parseServeArgs(['--price-steps', '0.01,0.05', '--no-cost', '--no-credits-record']).config).toMatchObject({
      priceSteps: [0.01, 0.05],
      reportCost: false,
      creditsRecord: false,
    });
    expect(() => parseServeArgs(['--price-steps', '0.01,x'])).toThrow(/--price-steps/);
  });
});
