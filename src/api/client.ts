/**
 * A typed client for Segmind's flux-krea-dev model: submit, status, result, wait, sync run,
 * upload. Usable as a library (`import { SegmindClient } from 'flux-krea'`); it never prints.
 */
import type { Dispatcher } from 'undici';
import { DeadlineError, FluxKreaError, InterruptedError, ProtocolError } from '../errors.js';
import { Http, type Exchange, type HttpAnswer, type RetryInfo } from './http.js';
import { extractImages, type ImageRef } from './extract.js';
import { pollDelay } from './retry-policy.js';
import { abortableSleep } from '../util/sleep.js';
import { ApiError, ConnectionError, JobFailedError, type Headers } from './errors.js';
import type { ResolvedParams } from '../params/schema.js';
import { DEFAULT_UPLOAD_URL, generationEndpoint, normalizeBaseUrl } from './endpoints.js';

export { MODEL, DEFAULT_BASE_URL, DEFAULT_UPLOAD_URL } from './endpoints.js';
/** Segmind says a v1 call takes about 24 s; the SDK's 30 s default is too short. */
export const SYNC_TIMEOUT_MS = 300_000;

export type JobStatus = 'QUEUED' | 'PROCESSING' | 'COMPLETED' | 'FAILED' | (string & {});

export interface Job {
  requestId: string;
  status: JobStatus;
  statusUrl: string;
  responseUrl: string;
}

export interface Metrics {
  inferenceTime?: number;
  cost?: number;
  remainingCredits?: number;
  seed?: number;
  [k: string]: unknown;
}

export interface JobResult {
  requestId?: string;
  status: JobStatus;
  images: ImageRef[];
  metrics: Metrics;
  raw: unknown;
}

export interface ClientOptions {
  apiKey?: string;
  baseUrl?: string;
  uploadUrl?: string;
  retries?: number;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  syncTimeoutMs?: number;
  dispatcher?: Dispatcher;
  onExchange?: (e: Exchange) => void;
  onRetry?: (r: RetryInfo) => void;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface SubmitOptions {
  /**
   * Stops retry waits. A request already sent is not cut (see keepInFlight in http.ts): its
   * answer carries the request id of a job that is billed either way.
   */
  signal?: AbortSignal;
  /** Retry waits never run past this time (ms since epoch). */
  deadline?: number;
  /** For the sync call: cuts the request itself (the --timeout), where `signal` only stops waits. */
  cutSignal?: AbortSignal;
}

export interface WaitOptions {
  intervalMs?: number;
  /** Absolute time (ms since epoch) after which waiting stops with DeadlineError. */
  deadline?: number;
  signal?: AbortSignal;
  /** Called on every status change (unknown states included: they mean "still running"). */
  onStatus?: (status: JobStatus, job: Job) => void;
  /** Check at once instead of after the first poll delay (resuming a job that may be done). */
  pollNow?: boolean;
  /** The wait before poll `n`, instead of the usual schedule (a batch polls around the job time it has seen). */
  pollDelay?: (n: number) => number;
}

const TERMINAL = new Set(['COMPLETED', 'FAILED']);

export class SegmindClient {
  readonly baseUrl: string;
  readonly uploadUrl: string;
  readonly http: Http;
  private readonly syncTimeoutMs: number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(o: ClientOptions = {}) {
    this.baseUrl = normalizeBaseUrl(o.baseUrl);
    this.uploadUrl = o.uploadUrl ?? DEFAULT_UPLOAD_URL;
    this.syncTimeoutMs = Math.max(o.syncTimeoutMs ?? SYNC_TIMEOUT_MS, o.requestTimeoutMs ?? 0);
    this.http = new Http({
      apiKey: o.apiKey,
      keyOrigins: [new URL(this.baseUrl).origin, new URL(this.uploadUrl).origin],
      retries: o.retries ?? 4,
      connectTimeoutMs: o.connectTimeoutMs ?? 15_000,
      requestTimeoutMs: o.requestTimeoutMs ?? 60_000,
      dispatcher: o.dispatcher,
      onExchange: o.onExchange,
      onRetry: o.onRetry,
      sleep: o.sleep,
    });
    this.sleep = o.sleep ?? abortableSleep;
  }

  /** The endpoint a generation is sent to. */
  endpoint(sync: boolean): string {
    return generationEndpoint(this.baseUrl, sync);
  }

  statusUrl(requestId: string): string {
    return `${this.baseUrl}/v2/requests/${encodeURIComponent(requestId)}/status`;
  }

  responseUrl(requestId: string): string {
    return `${this.baseUrl}/v2/requests/${encodeURIComponent(requestId)}`;
  }

  /** Submits an async job. Each successful call is a new billed job. */
  async submit(params: ResolvedParams, opts: SubmitOptions = {}): Promise<Job> {
    const a = await this.http.send({
      method: 'POST', url: this.endpoint(false), json: params, cls: 'submit', signal: opts.signal, keepInFlight: true, deadline: opts.deadline,
    }).catch(mayHaveBilled);
    let body: Record<string, unknown>;
    try {
      body = asObject(a, 'submit');
    } catch (e) {
      mayHaveBilled(e);
    }
    const requestId = pickString(body, 'request_id', 'requestId', 'id');
    if (!requestId) throw new ProtocolError('Segmind accepted the job but sent no request id.', { jobMayExist: true });
    return {
      requestId,
      status: pickString(body, 'status') ?? 'QUEUED',
      // The returned URLs are used as given, unless they point away from the API host: the
      // key goes nowhere else.
      statusUrl: this.trusted(pickString(body, 'status_url', 'poll_url')) ?? this.statusUrl(requestId),
      responseUrl: this.trusted(pickString(body, 'response_url')) ?? this.responseUrl(requestId),
    };
  }

  jobFor(requestId: string): Job {
    return { requestId, status: 'QUEUED', statusUrl: this.statusUrl(requestId), responseUrl: this.responseUrl(requestId) };
  }

  /** One status check. A FAILED job throws JobFailedError (Segmind serves it as 422). */
  async status(job: Job | string, opts: { signal?: AbortSignal } = {}): Promise<JobStatus> {
    const j = typeof job === 'string' ? this.jobFor(job) : job;
    const a = await this.http.send({ method: 'GET', url: j.statusUrl, cls: 'read', signal: opts.signal, requestId: j.requestId, maxBodyBytes: 1024 * 1024, expectJson: true });
    // A missing status is one more unknown state: still running. Case is not trusted either.
    const status = (pickString(asObject(a, 'status'), 'status') ?? 'UNKNOWN').toUpperCase();
    if (status === 'FAILED') throw failed(a, j.requestId);
    return status;
  }

  /** The job's result; `status` tells whether it is complete yet. */
  async result(job: Job | string, opts: { signal?: AbortSignal } = {}): Promise<JobResult> {
    const j = typeof job === 'string' ? this.jobFor(job) : job;
    const a = await this.http.send({ method: 'GET', url: j.responseUrl, cls: 'read', signal: opts.signal, requestId: j.requestId, expectJson: true });
    const body = asObject(a, 'result');
    const status = (pickString(body, 'status') ?? 'COMPLETED').toUpperCase();
    if (status === 'FAILED') throw failed(a, j.requestId);
    return { requestId: j.requestId, status, images: extractImages(body), metrics: metricsFrom(body.metrics, a.headers), raw: body };
  }

  /**
   * Polls until the job completes, then returns its result. Unknown states count as running.
   * Throws DeadlineError at `deadline`, InterruptedError on abort: both carry the request id.
   */
  async wait(job: Job, o: WaitOptions = {}): Promise<JobResult> {
    const intervalMs = o.intervalMs ?? 1000;
    const deadlineCtl = new AbortController();
    const timer = o.deadline === undefined ? undefined : setTimeout(() => deadlineCtl.abort(), Math.max(0, o.deadline - Date.now()));
    const signal = o.signal ? AbortSignal.any([o.signal, deadlineCtl.signal]) : deadlineCtl.signal;
    const seconds = o.deadline === undefined ? 0 : Math.round((o.deadline - Date.now()) / 1000);
    let last: JobStatus | undefined = job.status;
    o.onStatus?.(job.status, job);
    try {
      for (let n = 0; ; n++) {
        if (n > 0 || !o.pollNow) await this.sleep(o.pollDelay?.(n) ?? pollDelay(n, intervalMs), signal);
        const status = await this.status(job, { signal });
        if (status !== last) o.onStatus?.(status, job);
        last = status;
        if (!TERMINAL.has(status)) continue;
        const result = await this.result(job, { signal });
        // The status and result endpoints may briefly disagree; keep polling until both agree.
        if (result.status === 'COMPLETED') return result;
      }
    } catch (e) {
      if (deadlineCtl.signal.aborted && !o.signal?.aborted) throw new DeadlineError(seconds, job.requestId);
      if (o.signal?.aborted || (e as Error).name === 'AbortError') throw new InterruptedError(job.requestId);
      throw e instanceof FluxKreaError && !e.requestId ? e.with({ requestId: job.requestId }) : e;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The blocking v1 call: one request, the images in the answer. */
  async runSync(params: ResolvedParams, opts: SubmitOptions = {}): Promise<JobResult> {
    const a = await this.http.send({
      method: 'POST', url: this.endpoint(true), json: params, cls: 'submit', signal: opts.signal, headersTimeoutMs: this.syncTimeoutMs,
      keepInFlight: true, requestSignal: opts.cutSignal, deadline: opts.deadline,
    }).catch(mayHaveBilled);
    const requestId = headerString(a.headers, 'x-request-id');
    const metrics = metricsFrom(undefined, a.headers);
    if (a.bytes && /^image\//i.test(a.contentType)) {
      return { requestId, status: 'COMPLETED', images: [{ kind: 'bytes', data: a.bytes, contentType: a.contentType }], metrics, raw: undefined };
    }
    if (a.json !== undefined) {
      const body = a.json as Record<string, unknown>;
      return { requestId, status: 'COMPLETED', images: extractImages(body), metrics: { ...metricsFrom(body?.metrics, {}), ...metrics }, raw: body };
    }
    // No content type but image bytes (some gateways drop it): trust the bytes' own signature.
    return { requestId, status: 'COMPLETED', images: a.bytes?.length ? [{ kind: 'bytes', data: a.bytes }] : [], metrics, raw: undefined };
  }

  /** Uploads a local image and returns its public URL. */
  async upload(data: Buffer, mime: string, opts: SubmitOptions = {}): Promise<string> {
    const dataUrl = `data:${mime};base64,${data.toString('base64')}`;
    // An upload bills nothing: Ctrl-C may cut it.
    const a = await this.http.send({ method: 'POST', url: this.uploadUrl, json: { data_urls: [dataUrl] }, cls: 'submit', signal: opts.signal, deadline: opts.deadline });
    const body = asObject(a, 'upload');
    for (const key of ['file_urls', 'urls', 'file_url', 'url']) {
      const v = body[key];
      const url = Array.isArray(v) ? v[0] : v;
      if (typeof url === 'string' && /^https?:\/\//.test(url)) return url;
    }
    throw new ProtocolError('The upload answer held no file URL.');
  }

  async credits(opts: { signal?: AbortSignal } = {}): Promise<{ credits?: number; freeCredits?: number }> {
    const a = await this.http.send({ method: 'GET', url: `${this.baseUrl}/v1/get-user-credits`, cls: 'read', signal: opts.signal });
    const body = asObject(a, 'credits');
    return { credits: num(body.credits), freeCredits: num(body['free-credits']) };
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  private trusted(url: string | undefined): string | undefined {
    return url && this.http.mayReceiveKey(url) ? url : undefined;
  }
}

/**
 * A submit that failed after it may have reached Segmind (a reset, a timeout, a 504, a garbled
 * answer) is not retried, since every POST bills; say so, so the user checks before paying twice.
 */
function mayHaveBilled(e: unknown): never {
  const sent = e instanceof ConnectionError ? e.sent : e instanceof ProtocolError || (e instanceof ApiError && (e.status === 504 || e.status === 408));
  throw sent && e instanceof FluxKreaError ? e.with({ jobMayExist: true }) : e;
}

function failed(a: HttpAnswer, requestId: string): JobFailedError {
  const body = (a.json ?? {}) as Record<string, unknown>;
  const detail = pickString(body, 'error', 'message', 'detail') ?? 'no detail given';
  return new JobFailedError('job-failed', 422, `The generation failed: ${detail}`, a.headers, body, requestId);
}

function asObject(a: HttpAnswer, what: string): Record<string, unknown> {
  if (a.json && typeof a.json === 'object' && !Array.isArray(a.json)) return a.json as Record<string, unknown>;
  throw new ProtocolError(`Segmind sent an unexpected ${what} answer (${a.contentType || 'no content type'}).`);
}

function pickString(o: Record<string, unknown>, ...keys: string[]): string | undefined {
  for (const k of keys) if (typeof o[k] === 'string' && o[k]) return o[k] as string;
  return undefined;
}

function num(v: unknown): number | undefined {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

function headerString(h: Headers, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

function metricsFrom(m: unknown, headers: Headers): Metrics {
  const out: Metrics = {};
  if (m && typeof m === 'object') {
    const o = m as Record<string, unknown>;
    Object.assign(out, o);
    out.inferenceTime = num(o.inference_time);
    out.cost = num(o.cost);
    out.remainingCredits = num(o.remaining_credits);
  }
  out.remainingCredits ??= num(headerString(headers, 'x-remaining-credits'));
  out.cost ??= num(headerString(headers, 'x-cost'));
  out.inferenceTime ??= num(headerString(headers, 'x-generation-time'));
  out.seed ??= num(headerString(headers, 'x-seed-value'));
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}
