/** undici-lite loads two of undici's own modules directly: prove they still work as the entry does. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from '../../src/api/undici-lite.js';
import * as undici from 'undici';

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ method: req.method, url: req.url, body, key: req.headers['x-api-key'] ?? null }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('undici-lite', () => {
  it('its Agent is undici’s Agent class', () => {
    expect(new Agent()).toBeInstanceOf(undici.Dispatcher);
    expect(Agent.name).toBe(undici.Agent.name);
  });

  it('request() sends method, path with query, headers and body, and reads the answer', async () => {
    const agent = new Agent({ headersTimeout: 5000, bodyTimeout: 5000 });
    const res = await request(`${base}/v2/x?y=1`, { method: 'POST', headers: { 'x-api-key': 'k' }, body: '{"a":1}', dispatcher: agent });
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toEqual({ method: 'POST', url: '/v2/x?y=1', body: '{"a":1}', key: 'k' });
    await agent.close();
  });

  it('honours an abort signal', async () => {
    const agent = new Agent();
    const ctl = new AbortController();
    ctl.abort();
    await expect(request(`${base}/`, { dispatcher: agent, signal: ctl.signal })).rejects.toMatchObject({ name: 'AbortError' });
    await agent.close();
  });
});
