/**
 * The HTTP layer: undici with per-request timeouts, bounded bodies, the retry policy, and the
 * rule that the API key is only ever sent to Segmind's own origins.
 */
import { newAgent, request, type Dispatcher } from './undici.js';
import { FluxKreaError, InterruptedError, ProtocolError } from '../errors.js';
import {
  ApiError,
  apiErrorFor,
  ModelFailedError,
  RateLimitError,
  ConnectionError,
  RequestTimeoutError,
  type Headers,
} from './errors.js';
import type { RequestClass } from './retry-policy.js';
import { withRetries, type AttemptFailure } from './retry.js';
import { abortableSleep } from '../util/sleep.js';
import { rememberSecret } from '../util/secrets.js';

export interface Exchange {
  method: string;
  url: string;
  status?: number;
  ms: number;
  requestHeaders: Record<string, string>;
  requestBody?: string;
  responseHeaders?: Headers;
  responseBody?: string;
  error?: string;
}

export interface RetryInfo {
  method: string;
  url: string;
  attempt: number;
  delayMs: number;
  reason: string;
}

export interface HttpOptions {
  apiKey?: string;
  /** Origins that may receive the API key (the API base and the upload host). */
  keyOrigins: string[];
  retries: number;
  connectTimeoutMs: number;
  /** Limit for the answer's headers and for any silence while reading its body. */
  requestTimeoutMs: number;
  dispatcher?: Dispatcher;
  onExchange?: (e: Exchange) => void;
  onRetry?: (r: RetryInfo) => void;
  /** Injectable for tests; must reject with an AbortError when the signal fires. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface SendOptions {
  method: 'GET' | 'POST';
  url: string;
  json?: unknown;
  cls: RequestClass;
  signal?: AbortSignal;
  /** Per-call override, e.g. the long v1 sync call. */
  headersTimeoutMs?: number;
  maxBodyBytes?: number;
  requestId?: string;
  /** A 2xx answer must be JSON; anything else (an HTML page from a proxy) is a fault, retried on reads. */
  expectJson?: boolean;
  /**
   * The signal stops retry waits but not a request already on the wire: a billed submit must
   * be allowed to return its request id, or the paid job is lost.
   */
  keepInFlight?: boolean;
  /** With keepInFlight: what may still cut the request itself (e.g. the --timeout of a sync call). */
  requestSignal?: AbortSignal;
  /** No retry wait may end past this time (ms since epoch): the failure is thrown instead. */
  deadline?: number;
  /**
   * For polls of a paid job: 429s and network errors do not spend the retry budget, they are
   * waited out until `signal` (the caller's deadline) fires. 5xx and garbled answers still do.
   */
  patient?: boolean;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** Parsed JSON when the answer is JSON, else the raw bytes. */
  json?: unknown;
  bytes?: Buffer;
  contentType: string;
}

const REDACTED = '[redacted]';
const DEFAULT_MAX_BODY = 128 * 1024 * 1024;
// Errors that undici raises before a single byte of the request left this machine.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_INVALID_ARG',
]);
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

export function isAbort(e: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return true;
  const name = (e as { name?: string } | null)?.name;
  return name === 'AbortError';
}

export class Http {
  private agent?: Promise<Dispatcher>;
  private readonly opts: HttpOptions;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(opts: HttpOptions) {
    this.opts = opts;
    rememberSecret(opts.apiKey);
    this.sleep = opts.sleep ?? abortableSleep;
  }

  /** The dispatcher every request goes through: the caller's, or one keep-alive Agent made at the first request. */
  dispatcher(): Promise<Dispatcher> {
    if (this.opts.dispatcher) return Promise.resolve(this.opts.dispatcher);
    this.agent ??= newAgent({
      connect: { timeout: this.opts.connectTimeoutMs },
      headersTimeout: this.opts.requestTimeoutMs,
      bodyTimeout: this.opts.requestTimeoutMs,
      // Polls of one job can be ~23 s apart (the first poll of a known 24 s job): a shorter
      // idle limit closed the socket between them, and each new one costs a TCP + TLS
      // handshake. A server that closes sooner says so (Keep-Alive: timeout), which undici
      // honours; close() ends the socket at exit either way.
      keepAliveTimeout: 60_000,
      // Never follow redirects with the key attached: undici does not follow by default.
    });
    return this.agent;
  }

  /** Whether `url` may receive the API key. */
  mayReceiveKey(url: string): boolean {
    try {
      return this.opts.keyOrigins.includes(new URL(url).origin);
    } catch {
      return false;
    }
  }

  headersFor(url: string, json: boolean): Record<string, string> {
    const h: Record<string, string> = {
      'user-agent': 'flux-krea',
      accept: 'application/json, image/*;q=0.9, */*;q=0.5',
    };
    const segmind = this.mayReceiveKey(url);
    // Segmind's gateway answers 406 without it, on any request; a 406 would read as "no credits".
    if (json || segmind) h['content-type'] = 'application/json';
    if (this.opts.apiKey && segmind) h['x-api-key'] = this.opts.apiKey;
    return h;
  }

  /** Sends with retries; resolves with a 2xx answer, else throws the matching typed error. */
  async send(o: SendOptions): Promise<HttpAnswer> {
    const attempt = async (): Promise<HttpAnswer> => {
      const answer = await this.once(o);
      if (answer.status < 300 && o.expectJson && answer.json === undefined) {
        throw new ProtocolError(
          `Segmind sent ${answer.contentType || 'an untyped answer'} instead of JSON from ${new URL(o.url).pathname}.`,
          {
            requestId: o.requestId,
          },
        );
      }
      if (answer.status < 300) return answer;
      throw apiErrorFor(
        answer.status,
        answer.headers,
        answer.json ?? answer.bytes?.toString('utf8'),
        o.requestId,
        apiVersionOf(o.url),
      );
    };
    try {
      return await withRetries(attempt, {
        cls: o.cls,
        retries: this.opts.retries,
        unbudgeted: o.patient
          ? (e) => e instanceof RateLimitError || (e instanceof ConnectionError && !(e instanceof ProtocolError))
          : undefined,
        classify: (e) => classifyFailure(e, o),
        signal: o.signal,
        deadline: o.deadline,
        sleep: this.sleep,
        onRetry: (r) =>
          this.opts.onRetry?.({
            method: o.method,
            url: o.url,
            attempt: r.attempt,
            delayMs: r.delayMs,
            reason: r.reason,
          }),
      });
    } catch (e) {
      if (isAbort(e, o.signal) || isAbort(e, o.requestSignal)) throw new InterruptedError(o.requestId);
      throw e instanceof FluxKreaError && e.requestId === undefined && o.requestId !== undefined
        ? e.with({ requestId: o.requestId })
        : e;
    }
  }

  /** One request, no retries. Network failures become ConnectionError. */
  async once(o: SendOptions): Promise<HttpAnswer> {
    const started = Date.now();
    const body = o.json === undefined ? undefined : JSON.stringify(o.json);
    const headers = this.headersFor(o.url, body !== undefined);
    const exchange: Exchange = {
      method: o.method,
      url: o.url,
      ms: 0,
      requestHeaders: redact(headers),
      requestBody: body,
    };
    // Before the try: failing to load undici or make the Agent sends nothing, so it is not a
    // network error (which would be retried, and for a submit taken as "the job may exist").
    const dispatcher = await this.dispatcher();
    try {
      const res = await request(o.url, {
        method: o.method,
        headers,
        body,
        signal: o.keepInFlight ? o.requestSignal : o.signal,
        dispatcher,
        ...(o.headersTimeoutMs
          ? {
              headersTimeout: o.headersTimeoutMs,
              bodyTimeout: Math.max(o.headersTimeoutMs, this.opts.requestTimeoutMs),
            }
          : {}),
      });
      const raw = await readLimited(res.body, o.maxBodyBytes ?? DEFAULT_MAX_BODY, o.requestId);
      // undici hands the socket back to its pool a tick after the body's last chunk: a request
      // sent before then (the result fetch right after the poll that saw COMPLETED) would find
      // it busy and open a second connection, a TCP + TLS handshake more (issue 18).
      await new Promise<void>((done) => setImmediate(done));
      const contentType = String(res.headers['content-type'] ?? '');
      const answer: HttpAnswer = { status: res.statusCode, headers: res.headers, contentType };
      if (/json/i.test(contentType) || (!contentType && looksLikeJson(raw))) {
        try {
          answer.json = JSON.parse(raw.toString('utf8'));
        } catch {
          if (res.statusCode < 300) {
            throw new ProtocolError(`Segmind sent invalid JSON from ${new URL(o.url).pathname}.`, {
              requestId: o.requestId,
            });
          }
          answer.bytes = raw;
        }
      } else {
        answer.bytes = raw;
      }
      Object.assign(exchange, {
        status: res.statusCode,
        responseHeaders: res.headers,
        responseBody: snippet(raw, contentType),
      });
      return answer;
    } catch (e) {
      exchange.error = (e as Error).message;
      if (isAbort(e, o.signal) || isAbort(e, o.requestSignal) || e instanceof ProtocolError) throw e;
      throw toConnectionError(e, o.url);
    } finally {
      exchange.ms = Date.now() - started;
      this.opts.onExchange?.(exchange);
    }
  }

  async close(): Promise<void> {
    // An Agent that failed to be made has nothing to close, and its error was the request's.
    await this.agent?.then((agent) => agent.close()).catch(() => undefined);
  }
}

/** The retry policy's view of a failed attempt; undefined for what is never retried. */
function classifyFailure(e: unknown, o: SendOptions): AttemptFailure | undefined {
  if (isAbort(e, o.signal) || isAbort(e, o.requestSignal)) return undefined;
  // The model ran and failed (v1 500): running it again costs another ~24 s and fails alike.
  if (e instanceof ModelFailedError) return undefined;
  if (e instanceof ApiError)
    return { outcome: { type: 'status', status: e.status }, headers: e.headers, reason: `HTTP ${e.status}` };
  // A garbled answer (invalid JSON, an HTML page, an oversized body) to a read is as transient
  // as a dropped connection; to a submit it means the job may exist: no retry.
  if (e instanceof ProtocolError) return { outcome: { type: 'network', sent: true }, reason: e.message };
  if (e instanceof ConnectionError) return { outcome: { type: 'network', sent: e.sent }, reason: e.message };
  return undefined;
}

/** Which API generation a URL belongs to: v1 and v2 give some statuses different meanings. */
export function apiVersionOf(url: string): 'v1' | 'v2' | undefined {
  const m = /\/(v1|v2)\//.exec(safePath(url));
  return m ? (m[1] as 'v1' | 'v2') : undefined;
}

function safePath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}

export function toConnectionError(e: unknown, url: string): ConnectionError {
  if (e instanceof ConnectionError) return e;
  const err = e as { code?: string; cause?: { code?: string }; message?: string };
  const code = err?.code ?? err?.cause?.code;
  const host = safeHost(url);
  const sent = !(code && NOT_SENT_CODES.has(code));
  if (code && TIMEOUT_CODES.has(code)) {
    return new RequestTimeoutError(
      `No answer from ${host} in time (${code}).`,
      code,
      code !== 'UND_ERR_CONNECT_TIMEOUT',
      e,
    );
  }
  const what =
    code === 'ECONNREFUSED'
      ? 'Connection refused by'
      : code === 'ENOTFOUND'
        ? 'Cannot resolve'
        : 'Network error talking to';
  return new ConnectionError(
    `${what} ${host}${code ? ` (${code})` : err?.message ? `: ${err.message}` : ''}.`,
    code,
    sent,
    e,
  );
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function redact(h: Record<string, string>): Record<string, string> {
  const out = { ...h };
  if (out['x-api-key']) out['x-api-key'] = REDACTED;
  return out;
}

function looksLikeJson(b: Buffer): boolean {
  const c = b.subarray(0, 1).toString();
  return c === '{' || c === '[';
}

function snippet(raw: Buffer, contentType: string): string {
  if (/^image\//i.test(contentType)) return `<${raw.length} bytes of ${contentType}>`;
  const s = raw.subarray(0, 2000).toString('utf8');
  return raw.length > 2000 ? `${s}… (${raw.length} bytes)` : s;
}

async function readLimited(
  body: AsyncIterable<Buffer> & { destroy?: (e?: Error) => void },
  max: number,
  requestId?: string,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) {
      body.destroy?.();
      throw new ProtocolError(
        `Segmind sent an answer larger than ${Math.round(max / 1024 / 1024)} MB; refusing to read it.`,
        { requestId },
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}
