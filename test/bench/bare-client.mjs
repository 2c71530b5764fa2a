#!/usr/bin/env node
// The baseline of the client-overhead row: what any Node client of Segmind's queue must do,
// with nothing else. It submits the JSON body given (the one flux-krea sent), polls the status
// every INTERVAL_MS, fetches the result and streams its images to files in parallel with
// undici (flux-krea's own HTTP library) on one keep-alive agent, prints them as JSON and exits.
// Spawned exactly as the CLI is, so that the same start-up, connections and writes count.
//
//   node bare-client.mjs <base-url> <out-dir> <interval-ms> <body.json>   (key: SEGMIND_API_KEY)
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';

const [base, outDir, interval, bodyFile] = process.argv.slice(2);
const body = readFileSync(bodyFile, 'utf8');
const dispatcher = new Agent({ keepAliveTimeout: 60_000 });
const headers = { 'x-api-key': process.env.SEGMIND_API_KEY, 'content-type': 'application/json' };

async function json(url, init = {}) {
  const res = await request(url, { dispatcher, headers, ...init });
  if (res.statusCode !== 200) throw new Error(`${url}: HTTP ${res.statusCode}`);
  return res.body.json();
}

/** Every http(s) URL in the result, wherever its shape puts them. */
const urls = (v) =>
  typeof v === 'string'
    ? /^https?:\/\//.test(v) && /\/images\//.test(v)
      ? [v]
      : []
    : v && typeof v === 'object'
      ? Object.values(v).flatMap(urls)
      : [];

const job = await json(`${base}/v2/flux-krea-dev`, { method: 'POST', body });
const id = job.request_id;
for (;;) {
  await sleep(Number(interval));
  const s = await json(`${base}/v2/requests/${id}/status`);
  if (s.status === 'COMPLETED') break;
  if (s.status === 'FAILED') throw new Error('the job failed');
}
const result = await json(`${base}/v2/requests/${id}`);
mkdirSync(outDir, { recursive: true });
const files = await Promise.all(
  [...new Set(urls(result))].map(async (url, i) => {
    const res = await request(url, { dispatcher });
    const path = join(outDir, `image-${i + 1}.jpg`);
    await pipeline(res.body, createWriteStream(path));
    return path;
  }),
);
process.stdout.write(`${JSON.stringify({ request_id: id, files })}\n`);
await dispatcher.close();
