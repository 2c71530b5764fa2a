/**
 * HTTP-level errors from the Segmind API: one class per meaning, picked by `apiErrorFor()`.
 */
import { FluxKreaError, type ErrorKind } from '../errors.js';

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

/** The server's own message, from JSON `{error|message|detail}` or a short plain-text body. */
export function serverMessage(body: unknown): string | undefined {
  if (body && typeof body === 'object') {
    const o = body as Record<string, unknown>;
    for (const k of ['error', 'message', 'detail']) {
      const v = o[k];
      if (typeof v === 'string' && v.trim()) return v.trim();
      if (v && typeof v === 'object') return JSON.stringify(v).slice(0, 300);
    }
    return undefined;
  }
  if (typeof body === 'string') {
    const text = body.trim();
    // An HTML error page says nothing useful in a terminal.
    if (!text || /^<(!doctype|html)/i.test(text)) return undefined;
    return text.length > 300 ? `${text.slice(0, 300)}…` : text;
  }
  return undefined;
}

export function apiErrorFor(status: number, headers: Headers, body: unknown, requestId?: string): ApiError {
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
    case 406:
      return new InsufficientCreditsError('credits', status, say('Not enough credits, or the request was refused (406)'), headers, body, requestId,
        'Top up at https://cloud.segmind.com/console/billing or check your team spend limit.');
    case 410:
      return new ModelRetiredError('server', status, say('The model is retired (410)'), headers, body, requestId);
    case 422:
      return new JobFailedError('job-failed', status, say('The generation failed'), headers, body, requestId,
        'Change the prompt or parameters and try again; a blocked prompt will keep failing.');
    case 429:
      return new RateLimitError('rate-limit', status, say('Rate limited by Segmind (429)'), headers, body, requestId,
        'Wait a minute and try again, or raise --retries; the free plan allows 5 requests a minute.');
    default:
      return new ServerError('server', status, say(`Segmind answered HTTP ${status}`), headers, body, requestId,
        status >= 500 ? 'This is on the server side; try again in a moment.' : undefined);
  }
}
