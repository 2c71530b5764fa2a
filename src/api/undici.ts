/**
 * The two pieces of undici that flux-krea uses, from undici's public API: an Agent, and
 * request() for an absolute URL on an explicit dispatcher. One module, so http.ts and
 * download.ts agree on how a request is made.
 *
 * undici itself (about 1 MB of JavaScript) loads with the first request, not with this module:
 * `--help`, a dry run, `jobs` and a rerun with nothing to send never parse it.
 */
import type { Agent as UndiciAgent, Dispatcher } from 'undici';

export type { Dispatcher };

export type RequestOptions = Omit<Dispatcher.RequestOptions, 'origin' | 'path'> & { dispatcher: Dispatcher };

let loading: Promise<typeof import('undici').default> | undefined;
// undici is CommonJS: its module.exports is the default export, bundled or not.
const undici = () => (loading ??= import('undici').then((m) => m.default));

/** A keep-alive Agent of undici's. */
export async function newAgent(options: UndiciAgent.Options): Promise<Dispatcher> {
  const { Agent } = await undici();
  return new Agent(options);
}

/** undici's request(url, options) for an absolute URL and an explicit dispatcher. */
export async function request(url: string, o: RequestOptions): Promise<Dispatcher.ResponseData> {
  const { request: undiciRequest } = await undici();
  const { dispatcher, ...opts } = o;
  return undiciRequest(url, { ...opts, dispatcher } as Parameters<
    typeof undiciRequest
  >[1]) as Promise<Dispatcher.ResponseData>;
}
