/**
 * HTTP-level errors from the Segmind API: one class per meaning, picked by `apiErrorFor()`.
 */
import { FluxKreaError, type ErrorKind } from '../errors.js';
import { errorText } from './error-text.js';

export type Headers = Record<string, string | string[] | undefined>;

export class ApiError extends FluxKreaError {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;

  constructor(kind: ErrorKind, status: number, message: string, headers: Headers, body: unknown, requestId?: string, suggestion?: string) {
    super(kind, message, { requestId, suggestion });
    this.status = status;
    this.headers = headers;
    this.body = body;
  }
}
export class BadRequestError extends ApiError {}
export class AuthenticationError extends ApiError {}
export class PermissionDeniedError extends ApiError {}
export class NotFoundError extends ApiError {}
export class InsufficientCreditsError extends ApiError {}
export class ModelRetiredError extends ApiError {}
export class JobFailedError extends ApiError {}
export class RateLimitError extends ApiError {}
export class ServerError extends ApiError {}

/** Network failure before any HTTP answer. `sent` tells whether the request may have reached the server. */
export class ConnectionError extends FluxKreaError {
  readonly code?: string;
  readonly sent: boolean;
  constructor(message: string, code: string | undefined, sent: boolean, cause?: unknown) {
    super('network', message, { cause, suggestion: 'Check your network connection (and SEGMIND_BASE_URL if set), then try again.' });
    this.code = code;
    this.sent = sent;
  }
}

/** A single request took too long (connect, headers or a silent body). */
export class RequestTimeoutError extends ConnectionError {}

/** The server's own message: the most specific text under any known key (see error-text.ts). */
export function serverMessage(body: unknown): string | undefined {
  return errorText(body);
}

/** `api` tells v1 from v2 where a status means different things (a v1 500 is the model failing). */
export function apiErrorFor(status: number, headers: Headers, body: unknown, requestId?: string, api?: 'v1' | 'v2'): ApiError {
  const detail = serverMessage(body);
  const say = (fallback: string) => (detail ? `${fallback}: ${detail}` : fallback);
  switch (status) {
    case 400:
      return new BadRequestError('usage', status, say('Segmind rejected the request (400)'), headers, body, requestId,
        'Check the parameters; `--dry-run` shows exactly what is sent.');
    case 401:
      return new AuthenticationError('auth', status, say('The API key was rejected (401)'), headers, body, requestId,
        'Check SEGMIND_API_KEY, or store a valid key with `flux-krea auth login`.');
    case 403:
      return new PermissionDeniedError('auth', status, say('This account may not use flux-krea-dev (403)'), headers, body, requestId,
        'Check the model access of your Segmind account.');
    case 404:
      return new NotFoundError('not-found', status, say('Not found (404)'), headers, body, requestId,
        requestId ? 'Results are kept for 1 hour; after that the job cannot be fetched.' : 'Check SEGMIND_BASE_URL.');
    case 402: // v2's "not enough credits" (observed)
    case 406: // v1's, and a team spend limit
      return new InsufficientCreditsError('credits', status, say(`Not enough credits (${status})`), headers, body, requestId,
        'Top up at https://cloud.segmind.com/console/billing or check your team spend limit.');
    case 410:
      return new ModelRetiredError('server', status, say('The model is retired (410)'), headers, body, requestId);
    case 422:
      return new JobFailedError('job-failed', status, say('The generation failed'), headers, body, requestId,
        'Change the prompt or parameters and try again; a blocked prompt will keep failing.');
    case 429:
      return new RateLimitError('rate-limit', status, say('Rate limited by Segmind (429)'), headers, body, requestId,
        'Wait a minute and try again, or raise --retries; the free plan allows 5 requests a minute.');
    case 500:
      if (api === 'v1') {
        return new ModelFailedError('job-failed', status, say('The model failed (500)'), headers, body, requestId,
          'Change the prompt or parameters and try again.');
      }
      return new ServerError('server', status, say(`Segmind answered HTTP ${status}`), headers, body, requestId, 'This is on the server side; try again in a moment.');
    default:
      return new ServerError('server', status, say(`Segmind answered HTTP ${status}`), headers, body, requestId,
        status >= 500 ? 'This is on the server side; try again in a moment.' : undefined);
  }
}

/** A v1 (sync) call whose model ran and failed: Segmind serves it as 500. Not worth re-running. */
export class ModelFailedError extends ApiError {}
