/**
 * The two pieces of undici that flux-krea uses, from undici's public API: an Agent, and
 * request() for an absolute URL on an explicit dispatcher. One module, so http.ts and
 * download.ts agree on how a request is made.
 */
import { Agent, request as undiciRequest, type Dispatcher } from 'undici';

export { Agent };
export type { Dispatcher };

export type RequestOptions = Omit<Dispatcher.RequestOptions, 'origin' | 'path'> & { dispatcher: Dispatcher };

/** undici's request(url, options) for an absolute URL and an explicit dispatcher. */
export function request(url: string, o: RequestOptions): Promise<Dispatcher.ResponseData> {
  const { dispatcher, ...opts } = o;
  return undiciRequest(url, { ...opts, dispatcher } as Parameters<
    typeof undiciRequest
  >[1]) as Promise<Dispatcher.ResponseData>;
}
