/**
 * A typed client for Segmind's flux-krea-dev model: submit, status, result, wait, sync run,
 * upload. Usable as a library (`import { SegmindClient } from 'flux-krea'`); it never prints.
 */
import type { Dispatcher } from 'undici';
import { DeadlineError, FluxKreaError, InterruptedError, ProtocolError } from '../errors.js';
import { Http, type Exchange, type HttpAnswer, type RetryInfo } from './http.js';
import { extractImages, type ImageRef } from './extract.js';
import { nextPollDelay } from './poll-schedule.js';
import { errorText } from './error-text.js';
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
  /** When it was submitted (ms since epoch), if this process did: the poll schedule counts from it. */
  submittedAt?: number;
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
  /**
   * How long the job ran (ms): Segmind's `metrics.total_time` (or queue + inference time), else
   * as polling saw it, from submit to the middle of the last poll that saw it running and the
   * first that saw it done (only for jobs submitted in this process).
   */
  runMs?: number;
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
  /** A fixed cadence between polls (an explicit interval); without it the schedule adapts. */
  intervalMs?: number;
  /** The expected run time (e.g. the median of recent jobs): polls gather around it. */
  expectedMs?: number;
  /**
   * Absolute time (ms since epoch) after which waiting stops with DeadlineError. Until then a
   * 429 or a network error while polling never gives up on the job: it waits and polls again.
   */
  deadline?: number;
  signal?: AbortSignal;
  /** Called on every status change (unknown states included: they mean "still running"). */
  onStatus?: (status: JobStatus, job: Job) => void;
  /** Check at once instead of after the first poll delay (resuming a job that may be done). */
  pollNow?: boolean;
  /** The wait before poll `n`, instead of the usual schedule (a batch polls around the job time it has seen). */
  pollDelay?: (n: number) => number;
  /** Called after each poll (for measuring and tests). */
  onPoll?: (status: JobStatus) => void;
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
    const submittedAt = Date.now();
    const a = await this.http
      .send({
        method: 'POST',
        url: this.endpoint(false),
        json: params,
        cls: 'submit',
        signal: opts.signal,
        keepInFlight: true,
        deadline: opts.deadline,
      })
      .catch(mayHaveBilled);
    let body: Record<string, unknown>;
    try {
      body = asObject(a, 'submit');
    } catch (e) {
      mayHaveBilled(e);
    }
    const requestId = pickString(body, 'request_id', 'requestId', 'id');
    if (!requestId) throw new ProtocolError('Segmind accepted the job but sent no request id.', { jobMayExist: true });
    if (!isSafeRequestId(requestId)) {
      // Used raw, such an id could carry escape sequences to the terminal or `..` into a URL.
      throw new ProtocolError(
        `Segmind accepted the job but sent a request id of an unexpected shape: ${JSON.stringify(requestId.slice(0, 80))}.`,
        {
          jobMayExist: true,
        },
      );
    }
    return {
      requestId,
      status: pickString(body, 'status') ?? 'QUEUED',
      // The returned URLs are used as given, unless they point away from the API host: the key
      // goes nowhere else. `poll_url` is never polled: it is the legacy v1 *output* endpoint
      // (observed answering 404 while the job runs), not a status endpoint.
      statusUrl: this.trusted(pickString(body, 'status_url')) ?? this.statusUrl(requestId),
      responseUrl: this.trusted(pickString(body, 'response_url')) ?? this.responseUrl(requestId),
      submittedAt,
    };
  }

  jobFor(requestId: string): Job {
    return {
      requestId,
      status: 'QUEUED',
      statusUrl: this.statusUrl(requestId),
      responseUrl: this.responseUrl(requestId),
    };
  }

  /**
   * One status check. A FAILED job throws JobFailedError (Segmind serves it as 422).
   * `patient`: 429s and network errors are retried until `signal` fires, beyond the retry budget.
   */
  async status(job: Job | string, opts: { signal?: AbortSignal; patient?: boolean } = {}): Promise<JobStatus> {
    const j = typeof job === 'string' ? this.jobFor(job) : job;
    const a = await this.http.send({
      method: 'GET',
      url: j.statusUrl,
      cls: 'read',
      signal: opts.signal,
      requestId: j.requestId,
      maxBodyBytes: 1024 * 1024,
      expectJson: true,
      patient: opts.patient,
    });
    // A missing status is one more unknown state: still running. Case is not trusted either.
    const status = (pickString(asObject(a, 'status'), 'status') ?? 'UNKNOWN').toUpperCase();
    if (status === 'FAILED') throw failed(a, j.requestId);
    return status;
  }

  /** The job's result; `status` tells whether it is complete yet. */
  async result(job: Job | string, opts: { signal?: AbortSignal; patient?: boolean } = {}): Promise<JobResult> {
    const j = typeof job === 'string' ? this.jobFor(job) : job;
    const a = await this.http.send({
      method: 'GET',
      url: j.responseUrl,
      cls: 'read',
      signal: opts.signal,
      requestId: j.requestId,
      expectJson: true,
      patient: opts.patient,
    });
    const body = asObject(a, 'result');
    const status = (pickString(body, 'status') ?? 'COMPLETED').toUpperCase();
    if (status === 'FAILED') throw failed(a, j.requestId);
    return {
      requestId: j.requestId,
      status,
      images: extractImages(body),
      metrics: metricsFrom(body.metrics, a.headers),
      raw: body,
    };
  }

  /**
   * Polls until the job completes, then returns its result. Unknown states count as running.
   * Throws DeadlineError at `deadline`, InterruptedError on abort: both carry the request id.
   */
  async wait(job: Job, o: WaitOptions = {}): Promise<JobResult> {
    const deadlineCtl = new AbortController();
    const timer =
      o.deadline === undefined
        ? undefined
        : setTimeout(() => deadlineCtl.abort(), Math.max(0, o.deadline - Date.now()));
    const signal = o.signal ? AbortSignal.any([o.signal, deadlineCtl.signal]) : deadlineCtl.signal;
    const seconds = o.deadline === undefined ? 0 : Math.round((o.deadline - Date.now()) / 1000);
    // With a deadline, a rate limit or a dropped connection is waited out until it: the job is paid.
    const patient = o.deadline !== undefined;
    const since = job.submittedAt ?? Date.now();
    const plan = { fixedMs: o.intervalMs, expectedMs: o.expectedMs };
    let lastRunning = since;
    let last: JobStatus | undefined = job.status;
    o.onStatus?.(job.status, job);
    try {
      for (let n = 0; ; n++) {
        if (n > 0 || !o.pollNow) await this.sleep(o.pollDelay?.(n) ?? nextPollDelay(Date.now() - since, plan), signal);
        const polledAt = Date.now();
        const status = await this.status(job, { signal, patient });
        o.onPoll?.(status);
        if (status !== last) o.onStatus?.(status, job);
        last = status;
        if (!TERMINAL.has(status)) {
          lastRunning = polledAt;
          continue;
        }
        const result = await this.result(job, { signal, patient });
        // The status and result endpoints may briefly disagree; keep polling until both agree.
        if (result.status === 'COMPLETED') {
          // The server's own measure when it gives one; else the middle of what polling saw.
          const measured = serverRunMs(result.metrics);
          if (measured !== undefined) result.runMs = measured;
          else if (job.submittedAt !== undefined) result.runMs = Math.round((lastRunning + polledAt) / 2 - since);
          return result;
        }
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
    const a = await this.http
      .send({
        method: 'POST',
        url: this.endpoint(true),
        json: params,
        cls: 'submit',
        signal: opts.signal,
        headersTimeoutMs: this.syncTimeoutMs,
        keepInFlight: true,
        requestSignal: opts.cutSignal,
        deadline: opts.deadline,
      })
      .catch(mayHaveBilled);
    const requestId = headerString(a.headers, 'x-request-id');
    const metrics = metricsFrom(undefined, a.headers);
    if (a.bytes && /^image\//i.test(a.contentType)) {
      return {
        requestId,
        status: 'COMPLETED',
        images: [{ kind: 'bytes', data: a.bytes, contentType: a.contentType }],
        metrics,
        raw: undefined,
      };
    }
    if (a.json !== undefined) {
      const body = a.json as Record<string, unknown>;
      return {
        requestId,
        status: 'COMPLETED',
        images: extractImages(body),
        metrics: { ...metricsFrom(body?.metrics, {}), ...metrics },
        raw: body,
      };
    }
    // No content type but image bytes (some gateways drop it): trust the bytes' own signature.
    return {
      requestId,
      status: 'COMPLETED',
      images: a.bytes?.length ? [{ kind: 'bytes', data: a.bytes }] : [],
      metrics,
      raw: undefined,
    };
  }

  /** Uploads a local image and returns its public URL. */
  async upload(data: Buffer, mime: string, opts: SubmitOptions = {}): Promise<string> {
    const dataUrl = `data:${mime};base64,${data.toString('base64')}`;
    // An upload bills nothing: Ctrl-C may cut it.
    const a = await this.http.send({
      method: 'POST',
      url: this.uploadUrl,
      json: { data_urls: [dataUrl] },
      cls: 'submit',
      signal: opts.signal,
      deadline: opts.deadline,
    });
    // Read by content, not label: the answer may be JSON labelled text/plain, or a bare URL.
    const text = a.bytes?.toString('utf8').trim();
    if (a.json === undefined && text && /^https?:\/\/\S+$/.test(text)) return text;
    const body = a.json === undefined && text ? parseJsonObject(text) : undefined;
    const answer = body ?? asObject(a, 'upload');
    for (const key of ['file_urls', 'urls', 'file_url', 'url']) {
      const v = answer[key];
      const url = Array.isArray(v) ? v[0] : v;
      if (typeof url === 'string' && /^https?:\/\//.test(url)) return url;
    }
    throw new ProtocolError('The upload answer held no file URL.');
  }

  async credits(opts: { signal?: AbortSignal } = {}): Promise<{ credits?: number; freeCredits?: number }> {
    const a = await this.http.send({
      method: 'GET',
      url: `${this.baseUrl}/v1/get-user-credits`,
      cls: 'read',
      signal: opts.signal,
    });
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
  const sent =
    e instanceof ConnectionError
      ? e.sent
      : e instanceof ProtocolError || (e instanceof ApiError && (e.status === 504 || e.status === 408));
  throw sent && e instanceof FluxKreaError ? e.with({ jobMayExist: true }) : e;
}

function failed(a: HttpAnswer, requestId: string): JobFailedError {
  const body = (a.json ?? {}) as Record<string, unknown>;
  const detail = errorText(body) ?? 'no detail given';
  return new JobFailedError('job-failed', 422, `The generation failed: ${detail}`, a.headers, body, requestId);
}

/** How long the job took by Segmind's metrics (`total_time`, else queue + inference time), in ms. */
function serverRunMs(m: Metrics): number | undefined {
  const total = num(m.total_time);
  const parts = [num(m.queue_time), num(m.inference_time ?? m.inferenceTime)];
  const seconds = total ?? (parts.every((p) => p !== undefined) ? parts[0]! + parts[1]! : undefined);
  return seconds !== undefined && seconds > 0 ? Math.round(seconds * 1000) : undefined;
}

/** Request ids of a safe shape: the real ones are 32 hex characters, the docs show UUIDs. */
export function isSafeRequestId(id: string): boolean {
  // A subset of what `result` accepts, so a job is always fetchable by the id it was given.
  return /^[A-Za-z0-9][A-Za-z0-9_-]{3,127}$/.test(id);
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
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
  // Number('') is 0: a blank header or field is no value, not zero.
  const n = typeof v === 'string' ? (v.trim() === '' ? undefined : Number(v)) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** A cost is never negative: one that is would shrink what a run has spent and widen --max-cost. */
function costOf(v: unknown): number | undefined {
  const n = num(v);
  return n !== undefined && n >= 0 ? n : undefined;
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
    out.cost = costOf(o.cost);
    out.remainingCredits = num(o.remaining_credits);
  }
  out.remainingCredits ??= num(headerString(headers, 'x-remaining-credits'));
  out.cost ??= costOf(headerString(headers, 'x-cost'));
  out.inferenceTime ??= num(headerString(headers, 'x-generation-time'));
  out.seed ??= num(headerString(headers, 'x-seed-value'));
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}
