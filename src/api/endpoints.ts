/**
 * Segmind's addresses for this model. Apart from client.ts so that `--dry-run` can show the
 * endpoint without loading the HTTP stack (undici costs about 35 ms of start-up; issue 6).
 */
import { UsageError } from '../errors.js';

export const MODEL = 'flux-krea-dev';
export const DEFAULT_BASE_URL = 'https://api.segmind.com';
export const DEFAULT_UPLOAD_URL = 'https://workflows-api.segmind.com/upload-asset';

/**
 * The base URL as the client uses it: no trailing slash, and no trailing `/v1` or `/v2`.
 * Segmind's Python SDK takes a base that ends in `/v1` and derives `/v2` from it; given that
 * way, the routes would otherwise become `/v1/v2/...`.
 */
export function normalizeBaseUrl(baseUrl: string = DEFAULT_BASE_URL): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/v[12]$/i, '');
}

/** The endpoint a generation is sent to: v1 blocks until the image is ready, v2 queues a job. */
export function generationEndpoint(baseUrl: string, sync: boolean): string {
  return `${normalizeBaseUrl(baseUrl)}/${sync ? 'v1' : 'v2'}/${MODEL}`;
}

/**
 * The API and upload URLs from `SEGMIND_BASE_URL` / `SEGMIND_UPLOAD_URL` (or values given in
 * their place), checked. Shared by the CLI and the library so both send the key to the same
 * places.
 */
export function resolveEndpoints(given: { baseUrl?: string; uploadUrl?: string }): {
  baseUrl: string;
  uploadUrl: string;
} {
  const baseUrl = given.baseUrl || DEFAULT_BASE_URL;
  // With the API pointed elsewhere (the emulator, a proxy) and no upload URL, uploads go to the
  // same place: a local image and the key must not leave for Segmind's real host unasked.
  const uploadUrl =
    given.uploadUrl || (given.baseUrl ? `${normalizeBaseUrl(baseUrl)}/upload-asset` : DEFAULT_UPLOAD_URL);
  for (const [name, url] of [
    ['SEGMIND_BASE_URL', baseUrl],
    ['SEGMIND_UPLOAD_URL', uploadUrl],
  ] as const) {
    if (!/^https?:\/\/[^/]/i.test(url)) throw new UsageError(`${name}: ${JSON.stringify(url)} is not an http(s) URL.`);
  }
  return { baseUrl, uploadUrl };
}
