/**
 * Saving images so that a file is never half-written or overwritten: stream to a temp file in
 * the target directory, check the length and the image signature, then move it into place
 * under a free name. Leftovers are removed on every path. Memory stays flat: bytes stream.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, unlink, writeFile, access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { Agent, request, type Dispatcher } from 'undici';
import { FluxKreaError, InterruptedError, OutputError, ProtocolError } from '../errors.js';
import { sniffImage, SNIFF_BYTES, type ImageRef } from '../api/extract.js';
import { toConnectionError, isAbort, type RetryInfo } from '../api/http.js';
import { ConnectionError } from '../api/errors.js';
import { isRetryable, retryDelay } from '../api/retry-policy.js';
import { claimName } from './naming.js';
import { abortableSleep } from '../util/sleep.js';

export interface SavedImage {
  path: string;
  bytes: number;
  format: string;
  url?: string;
}

export interface SaveOptions {
  dir: string;
  stem: string;
  requestId?: string;
  dispatcher?: Dispatcher;
  retries?: number;
  signal?: AbortSignal;
  onRetry?: (r: RetryInfo) => void;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

let agent: Dispatcher | undefined;
/** For library callers that pass no dispatcher: one keep-alive agent for all downloads. */
function sharedAgent(): Dispatcher {
  return (agent ??= new Agent({ keepAliveTimeout: 10_000 }));
}

/** A download that arrived broken: retried like a network error. */
class BrokenDownload extends Error {}

export async function ensureDir(dir: string, requestId?: string): Promise<void> {
  const hint = requestId ? `Fix it, then fetch the images with \`flux-krea result ${requestId} -o <dir>\`.` : 'Choose another directory with -o.';
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new OutputError(`Cannot write to the output directory ${dir} (${code ?? (e as Error).message}).`, { requestId, suggestion: hint, cause: e });
  }
}

export function tempPath(dir: string): string {
  return join(dir, `.flux-krea-${process.pid}-${randomBytes(4).toString('hex')}.part`);
}

export async function saveImage(ref: ImageRef, o: SaveOptions): Promise<SavedImage> {
  if (ref.kind === 'bytes') return saveBytes(ref.data, o);
  const retries = o.retries ?? 4;
  const sleep = o.sleep ?? abortableSleep;
  for (let attempt = 0; ; attempt++) {
    const tmp = tempPath(o.dir);
    let retryHeaders = {};
    try {
      const { bytes, format } = await downloadTo(ref.url, tmp, o);
      const path = await claimName(tmp, o.dir, o.stem, format);
      return { path, bytes, format, url: ref.url };
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      if (isAbort(e, o.signal)) throw new InterruptedError(o.requestId);
      if (isFileSystemError(e)) throw writeError(e, o);
      const status = (e as { status?: number }).status;
      const retryable = e instanceof BrokenDownload || e instanceof ConnectionError
        ? true
        : status !== undefined && isRetryable('read', { type: 'status', status });
      if (!retryable || attempt >= retries) throw finalError(e, ref.url, o.requestId);
      retryHeaders = (e as { headers?: object }).headers ?? {};
      const delayMs = retryDelay(attempt, retryHeaders);
      o.onRetry?.({ method: 'GET', url: ref.url, attempt: attempt + 1, delayMs, reason: (e as Error).message });
      try { await sleep(delayMs, o.signal); } catch { throw new InterruptedError(o.requestId); }
    }
  }
}

async function saveBytes(data: Buffer, o: SaveOptions): Promise<SavedImage> {
  const kind = sniffImage(data.subarray(0, SNIFF_BYTES));
  if (!kind) throw new ProtocolError('Segmind sent image data that is not a PNG, JPEG, WebP or GIF.', { requestId: o.requestId });
  const tmp = tempPath(o.dir);
  try {
    await writeFile(tmp, data, { flag: 'wx' });
    const path = await claimName(tmp, o.dir, o.stem, kind.ext);
    return { path, bytes: data.length, format: kind.ext };
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw writeError(e, o);
  }
}

async function downloadTo(url: string, tmp: string, o: SaveOptions): Promise<{ bytes: number; format: string }> {
  if (!/^https?:\/\//i.test(url)) throw new ProtocolError(`Refusing to download a non-http(s) URL: ${url.slice(0, 60)}`);
  let res: Dispatcher.ResponseData;
  try {
    // Image URLs are public: no API key, no cookies, nothing but a plain GET.
    res = await request(url, { method: 'GET', headers: { 'user-agent': 'flux-krea' }, signal: o.signal, dispatcher: o.dispatcher ?? sharedAgent() });
  } catch (e) {
    if (isAbort(e, o.signal)) throw e;
    throw toConnectionError(e, url);
  }
  if (res.statusCode >= 300) {
    const text = await res.body.text().catch(() => '');
    throw new DownloadHttpError(res.statusCode, res.headers, `Downloading ${describeUrl(url)} failed: HTTP ${res.statusCode}${text && !/^\s*</.test(text) ? ` (${text.trim().slice(0, 120)})` : ''}.`, o.requestId);
  }
  const declared = Number(res.headers['content-length']);
  let seen = 0;
  let head = Buffer.alloc(0);
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (head.length < SNIFF_BYTES) head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES - head.length)]);
      if (head.length >= SNIFF_BYTES && !sniffImage(head)) return cb(new BrokenDownload(`The download from ${new URL(url).host} is not an image.`));
      cb(null, chunk);
    },
  });
  try {
    await pipeline(res.body, meter, createWriteStream(tmp, { flags: 'wx' }));
  } catch (e) {
    if (e instanceof BrokenDownload || isAbort(e, o.signal)) throw e;
    if (isFileSystemError(e)) throw writeError(e, o);
    throw new BrokenDownload(`The download from ${new URL(url).host} was cut off (${(e as Error).message}).`);
  }
  if (Number.isFinite(declared) && declared > 0 && seen !== declared) {
    throw new BrokenDownload(`The download from ${new URL(url).host} was cut off: ${seen} of ${declared} bytes.`);
  }
  const kind = sniffImage(head);
  if (!kind) throw new BrokenDownload(`The download from ${new URL(url).host} is not an image (${seen} bytes).`);
  return { bytes: seen, format: kind.ext };
}

/**
 * An error of our own file, not of the socket: a reset connection also carries a `syscall`
 * (`read`), and must be retried as a broken download, not reported as a disk problem.
 */
function isFileSystemError(e: unknown): boolean {
  const err = e as NodeJS.ErrnoException;
  return FS_CODES.has(err?.code ?? '') && !/^(read|connect)$/.test(err.syscall ?? '');
}
const FS_CODES = new Set(['ENOSPC', 'EACCES', 'EPERM', 'EROFS', 'EDQUOT', 'EEXIST', 'ENOTDIR', 'EISDIR', 'EMFILE', 'ENFILE', 'ENOENT', 'EIO', 'EFBIG']);

/** An image host's HTTP error: not the API's (a 404 here says nothing of the job's expiry). */
export class DownloadHttpError extends FluxKreaError {
  readonly status: number;
  readonly headers: Record<string, unknown>;
  constructor(status: number, headers: Record<string, unknown>, message: string, requestId?: string) {
    super('server', message, { requestId });
    this.status = status;
    this.headers = headers;
  }
}

function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname.length > 40 ? `${u.pathname.slice(0, 40)}…` : u.pathname}`;
  } catch {
    return 'an image';
  }
}

function writeError(e: unknown, o: SaveOptions): Error {
  const err = e as NodeJS.ErrnoException;
  if (!isFileSystemError(err)) return err;
  return new OutputError(`Cannot write an image in ${o.dir} (${err.code}).`, {
    requestId: o.requestId, cause: e,
    suggestion: o.requestId ? `Free space or fix permissions, then run \`flux-krea result ${o.requestId} -o <dir>\`.` : 'Free space or fix permissions, then try again.',
  });
}

function finalError(e: unknown, url: string, requestId?: string): Error {
  if (e instanceof BrokenDownload) {
    return new ProtocolError(e.message, { requestId, suggestion: requestId ? `Try again with \`flux-krea result ${requestId}\`.` : undefined });
  }
  if (e instanceof ConnectionError) {
    e.requestId = requestId;
    e.suggestion = requestId ? `Check the network, then fetch the images with \`flux-krea result ${requestId}\`.` : e.suggestion;
  }
  void url;
  return e as Error;
}
