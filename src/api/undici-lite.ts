/**
 * undici's Agent and request() without the rest of undici. The package entry loads every
 * feature (fetch, WebSocket, mocks, caches): about 1 MB of code that costs ~20 ms at every
 * start (measured by `npm run bench`), where we need one dispatcher and one call. These two
 * modules are undici's own; the package has no `exports` map, so the paths are public in
 * practice, and test/unit/undici-lite.test.ts checks they still behave as the entry does.
 */
/// <reference path="../types/undici-internals.d.ts" />
import type { Dispatcher } from 'undici';
import AgentImpl from 'undici/lib/dispatcher/agent.js';
import requestImpl from 'undici/lib/api/api-request.js';

export const Agent = AgentImpl;

export type LiteRequestOptions = Omit<Dispatcher.RequestOptions, 'origin' | 'path' | 'method'> & {
  method?: Dispatcher.HttpMethod;
  dispatcher: Dispatcher;
};

/** Like undici's `request(url, opts)`; a dispatcher must be given (there is no global one here). */
export function request(url: string, opts: LiteRequestOptions): Promise<Dispatcher.ResponseData> {
  const u = new URL(url);
  const { dispatcher, ...rest } = opts;
  return requestImpl.call(dispatcher, { ...rest, method: opts.method ?? 'GET', origin: u.origin, path: `${u.pathname}${u.search}` });
}
