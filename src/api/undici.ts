/**
 * The two pieces of undici that flux-krea uses, an Agent and request(), taken from undici's
 * own files. undici's index also loads fetch, WebSocket, caches, mocks and proxies that no
 * path here calls: 1.1 MB of bundled JavaScript that every generation parsed (issue 18).
 * The types are undici's public ones.
 */
import type { Agent as AgentClass, Dispatcher } from 'undici';
// @ts-expect-error undici ships no types for its inner files; the public ones are cast below.
import AgentImpl from 'undici/lib/dispatcher/agent.js';
// @ts-expect-error as above
import requestImpl from 'undici/lib/api/api-request.js';

export type { Dispatcher };
export const Agent = AgentImpl as typeof AgentClass;

export type RequestOptions = Omit<Dispatcher.RequestOptions, 'origin' | 'path'> & { dispatcher: Dispatcher };

/** undici's request(url, options) for an absolute URL and an explicit dispatcher. */
export function request(url: string, o: RequestOptions): Promise<Dispatcher.ResponseData> {
  const u = new URL(url);
  const { dispatcher, ...opts } = o;
  return (requestImpl as (this: Dispatcher, o: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>).call(
    dispatcher,
    {
      ...opts,
      origin: u.origin,
      path: `${u.pathname}${u.search}`,
    },
  );
}
