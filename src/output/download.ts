/**
 * Saving images so that a file is never half-written or overwritten: stream to a temp file in
 * the target directory, check the length and the image signature, then move it into place
 * under a free name. Leftovers are removed on every path. Memory stays flat: bytes stream.
 */
import { createWriteStream } from 'node:fs';
import { unlink, writeFile, access, constants } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createHash, randomBytes } from 'node:crypto';
import { newAgent, request, type Dispatcher } from '../api/undici.js';
import { DeadlineError, FluxKreaError, InterruptedError, OutputError, ProtocolError } from '../errors.js';
import { sniffImage, SNIFF_BYTES, type ImageRef } from '../api/extract.js';
import { toConnectionError, isAbort, type RetryInfo } from '../api/http.js';
import { ConnectionError, type Headers } from '../api/errors.js';
import { withRetries } from '../api/retry.js';
import { claimName } from './naming.js';
import { makeDirs } from '../util/make-dirs.js';

export interface SavedImage {
  path: string;
  bytes: number;
  format: string;
  url?: string;
  /** sha256 of the bytes as written, hashed while they streamed (so the lock need not read the file back). */
  sha256?: string;
}

export interface SaveOptions {
  dir: string;
  stem: string;
  requestId?: string;
  dispatcher?: Dispatcher;
  retries?: number;
  signal?: AbortSignal;
  onRetry?: (r: RetryInfo) => void;
  /** Size limit of one image (default MAX_IMAGE_BYTES, 64 MB). */
  maxBytes?: number;
  /**
   * Absolute time (ms since epoch) by which the download must be done, retries included
   * (`--timeout`): past it, a DeadlineError that keeps the request id.
   */
  deadline?: number;
  /** Silence (no headers, no bytes) after which an attempt is cut and retried (default STALL_MS). */
  stallMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

let agent: Promise<Dispatcher> | undefined;
/** For library callers that pass no dispatcher: one keep-alive agent for all downloads. */
function sharedAgent(): Promise<Dispatcher> {
  return (agent ??= newAgent({ keepAliveTimeout: 10_000 }));
}

/** A download that arrived broken: retried like a network error. */
class BrokenDownload extends Error {}

/**
 * Directories this process made or found writable: a batch of 5,000 entries into one folder
 * checks it once, not twice per entry (issue 18: six mkdir calls per entry).
 */
const writableDirs = new Set<string>();

export async function ensureDir(dir: string, requestId?: string): Promise<void> {
  const abs = resolve(dir);
  if (writableDirs.has(abs)) return;
  try {
    await makeDirs(abs);
    await access(abs, constants.W_OK);
    writableDirs.add(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new OutputError(`Cannot write to the output directory ${dir} (${code ?? (e as Error).message}).`, {
      requestId,
      cause: e,
    });
  }
}

export function tempPath(dir: string): string {
  return join(dir, `.flux-krea-${process.pid}-${randomBytes(4).toString('hex')}.part`);
}

/** An image host silent this long (no headers, no bytes) is cut and asked again. */
export const STALL_MS = 30_000;

export async function saveImage(ref: ImageRef, options: SaveOptions): Promise<SavedImage> {
  if (ref.kind === 'bytes') return saveBytes(ref.data, options);
  // A slow drip never trips a socket's silence timeout: the deadline bounds the whole download,
  // retries and their waits included (issue 12 item 8).
  const deadline =
    options.deadline === undefined ? undefined : AbortSignal.timeout(Math.max(1, options.deadline - Date.now()));
  const signal =
    deadline && options.signal ? AbortSignal.any([options.signal, deadline]) : (deadline ?? options.signal);
  const o: SaveOptions = { ...options, signal };
  const started = Date.now();
  const attempt = async (): Promise<SavedImage> => {
    const tmp = tempPath(o.dir);
    try {
      const { bytes, format, sha256 } = await downloadTo(ref.url, tmp, o);
      const path = await claimName(tmp, o.dir, o.stem, format);
      return { path, bytes, format, url: ref.url, sha256 };
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
  };
  try {
    return await withRetries(attempt, {
      cls: 'read',
      retries: o.retries ?? 4,
      signal: o.signal,
      sleep: o.sleep,
      classify: (e) => {
        if (isAbort(e, o.signal) || isFileSystemError(e)) return undefined;
        if (e instanceof BrokenDownload || e instanceof ConnectionError)
          return { outcome: { type: 'network', sent: true }, reason: (e as Error).message };
        if (e instanceof DownloadHttpError)
          return {
            outcome: { type: 'status', status: e.status },
            headers: e.headers as Headers,
            reason: `HTTP ${e.status}`,
          };
        return undefined;
      },
      onRetry: (r) =>
        o.onRetry?.({ method: 'GET', url: ref.url, attempt: r.attempt, delayMs: r.delayMs, reason: r.reason }),
    });
  } catch (e) {
    if (deadline?.aborted && !options.signal?.aborted) {
      const seconds = Math.max(1, Math.round((options.deadline! - started) / 1000));
      throw new DeadlineError(seconds, o.requestId).with({
        message: `The images were still downloading at the deadline (${ref.url ? safeHost(ref.url) : 'the image host'}).`,
      });
    }
    if (isAbort(e, o.signal)) throw new InterruptedError(o.requestId);
    if (isFileSystemError(e)) throw writeError(e, o);
    throw finalError(e, o.requestId);
  }
}

async function saveBytes(data: Buffer, o: SaveOptions): Promise<SavedImage> {
  const kind = sniffImage(data.subarray(0, SNIFF_BYTES));
  if (!kind)
    throw new ProtocolError('Segmind sent image data that is not a PNG, JPEG, WebP or GIF.', {
      requestId: o.requestId,
    });
  if (!isWholeImage(kind.ext, data.subarray(0, SNIFF_BYTES), data.subarray(-TAIL_BYTES), data.length)) {
    throw new ProtocolError(`Segmind sent an incomplete ${kind.ext} image (${data.length} bytes).`, {
      requestId: o.requestId,
    });
  }
  const tmp = tempPath(o.dir);
  try {
    await writeFile(tmp, data, { flag: 'wx' });
    const path = await claimName(tmp, o.dir, o.stem, kind.ext);
    return { path, bytes: data.length, format: kind.ext, sha256: createHash('sha256').update(data).digest('hex') };
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw writeError(e, o);
  }
}

/** Redirects followed for one image; a chain longer than this is broken. */
export const MAX_REDIRECTS = 5;

/**
 * A redirect is followed only to https, or within the origin it came from (no new host over
 * plain http); never with the key, which downloads never carry.
 */
export function redirectTarget(from: string, location: string | undefined): string | undefined {
  if (!location) return undefined;
  let to: URL;
  try {
    to = new URL(location, from);
  } catch {
    return undefined;
  }
  if (to.protocol === 'https:') return to.href;
  return to.protocol === 'http:' && to.origin === new URL(from).origin ? to.href : undefined;
}

/**
 * One attempt, cut when the host is silent for stallMs (before its headers or between two
 * chunks of the body), whatever the dispatcher's own timeouts are: a library caller's agent
 * may have none.
 */
async function downloadTo(
  url: string,
  tmp: string,
  o: SaveOptions,
): Promise<{ bytes: number; format: string; sha256: string }> {
  const stallMs = o.stallMs ?? STALL_MS;
  const stall = new AbortController();
  let timer = setTimeout(() => stall.abort(), stallMs);
  const poke = () => {
    clearTimeout(timer);
    timer = setTimeout(() => stall.abort(), stallMs);
  };
  const signal = o.signal ? AbortSignal.any([o.signal, stall.signal]) : stall.signal;
  try {
    return await downloadOnce(url, tmp, { ...o, signal }, poke);
  } catch (e) {
    if (stall.signal.aborted && !o.signal?.aborted) {
      throw new BrokenDownload(`The download from ${safeHost(url)} stalled: no data for ${stallMs / 1000} s.`);
    }
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

async function downloadOnce(
  url: string,
  tmp: string,
  o: SaveOptions,
  poke: () => void,
): Promise<{ bytes: number; format: string; sha256: string }> {
  if (!/^https?:\/\//i.test(url))
    throw new ProtocolError(`Refusing to download a non-http(s) URL: ${url.slice(0, 60)}`);
  let res: Dispatcher.ResponseData;
  let at = url;
  // Outside the try: an Agent that cannot be made is not a network error to retry.
  const dispatcher = o.dispatcher ?? (await sharedAgent());
  for (let hops = 0; ; hops++) {
    try {
      // Image URLs are public: no API key, no cookies, nothing but a plain GET.
      res = await request(at, {
        method: 'GET',
        headers: { 'user-agent': 'flux-krea' },
        signal: o.signal,
        dispatcher,
      });
    } catch (e) {
      if (isAbort(e, o.signal)) throw e;
      throw toConnectionError(e, at);
    }
    if (res.statusCode < 300 || res.statusCode >= 400 || res.statusCode === 304) break;
    await res.body.dump().catch(() => undefined);
    const location = res.headers.location;
    const next = redirectTarget(at, Array.isArray(location) ? location[0] : location);
    if (!next) {
      throw new ProtocolError(
        `The image host ${safeHost(at)} redirected to ${location ? 'a non-https address' : 'nowhere'}; not followed.`,
        { requestId: o.requestId },
      );
    }
    if (hops >= MAX_REDIRECTS)
      throw new ProtocolError(`The image host ${safeHost(url)} redirected more than ${MAX_REDIRECTS} times.`, {
        requestId: o.requestId,
      });
    at = next;
  }
  if (res.statusCode >= 300) {
    // An image host's body is not shown: it may be an internal host's page (issue 12, item 12).
    await res.body.dump().catch(() => undefined);
    throw new DownloadHttpError(
      res.statusCode,
      res.headers,
      `Downloading ${describeUrl(at)} failed: HTTP ${res.statusCode}.`,
      o.requestId,
    );
  }
  const declared = Number(res.headers['content-length']);
  const maxBytes = o.maxBytes ?? MAX_IMAGE_BYTES;
  const host = safeHost(at);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body.dump({ limit: 0 }).catch(() => undefined);
    throw new TooLargeDownload(
      `The image from ${host} is ${declared} bytes, over the ${maxBytes}-byte limit; not saved.`,
      o.requestId,
    );
  }
  let seen = 0;
  const hash = createHash('sha256');
  let head = Buffer.alloc(0);
  let tail = Buffer.alloc(0);
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      poke();
      seen += chunk.length;
      if (seen > maxBytes)
        return cb(
          new TooLargeDownload(`The image from ${host} is over the ${maxBytes}-byte limit; not saved.`, o.requestId),
        );
      if (head.length < SNIFF_BYTES) head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES - head.length)]);
      tail = Buffer.concat([tail, chunk.subarray(-TAIL_BYTES)]).subarray(-TAIL_BYTES);
      if (head.length >= SNIFF_BYTES && !sniffImage(head))
        return cb(new BrokenDownload(`The download from ${new URL(url).host} is not an image.`));
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  try {
    await pipeline(res.body, meter, createWriteStream(tmp, { flags: 'wx' }), { signal: o.signal });
  } catch (e) {
    if (e instanceof BrokenDownload || e instanceof TooLargeDownload || isAbort(e, o.signal)) throw e;
    if (isFileSystemError(e)) throw writeError(e, o);
    throw new BrokenDownload(`The download from ${new URL(url).host} was cut off (${(e as Error).message}).`);
  }
  if (Number.isFinite(declared) && declared > 0 && seen !== declared) {
    throw new BrokenDownload(`The download from ${new URL(url).host} was cut off: ${seen} of ${declared} bytes.`);
  }
  const kind = sniffImage(head);
  if (!kind) throw new BrokenDownload(`The download from ${host} is not an image (${seen} bytes).`);
  // Without a Content-Length a cut-off body looks complete: the image's own end marker says.
  if (!isWholeImage(kind.ext, head, tail, seen))
    throw new BrokenDownload(
      `The download from ${host} was cut off: the ${kind.ext} image is incomplete (${seen} bytes).`,
    );
  return { bytes: seen, format: kind.ext, sha256: hash.digest('hex') };
}

/** An image of this model is a few MB; anything far larger is a broken or hostile answer. */
export const MAX_IMAGE_BYTES = 64 * 1024 * 1024;
const TAIL_BYTES = 12;

/** Over the size limit: not retried, the same host would send the same. */
class TooLargeDownload extends ProtocolError {
  constructor(message: string, requestId?: string) {
    super(message, { requestId });
  }
}

/**
 * Whether an image ends as its format says: PNG with its IEND chunk, JPEG with EOI (FF D9),
 * WebP with as many bytes as its RIFF header declares, GIF with its trailer (0x3B).
 */
export function isWholeImage(ext: string, head: Buffer, tail: Buffer, size: number): boolean {
  switch (ext) {
    case 'png':
      return tail.length >= 8 && tail.toString('latin1', tail.length - 8, tail.length - 4) === 'IEND';
    case 'jpg':
      return tail.length >= 2 && tail[tail.length - 2] === 0xff && tail[tail.length - 1] === 0xd9;
    case 'webp':
      return head.length >= 8 && head.readUInt32LE(4) + 8 === size;
    case 'gif':
      return tail.length >= 1 && tail[tail.length - 1] === 0x3b;
    default:
      return true;
  }
}

/**
 * An error of our own file, not of the socket: a reset connection also carries a `syscall`
 * (`read`), and must be retried as a broken download, not reported as a disk problem.
 */
function isFileSystemError(e: unknown): boolean {
  const err = e as NodeJS.ErrnoException;
  return FS_CODES.has(err?.code ?? '') && !/^(read|connect)$/.test(err.syscall ?? '');
}
const FS_CODES = new Set([
  'ENOSPC',
  'EACCES',
  'EPERM',
  'EROFS',
  'EDQUOT',
  'EEXIST',
  'ENOTDIR',
  'EISDIR',
  'EMFILE',
  'ENFILE',
  'ENOENT',
  'EIO',
  'EFBIG',
]);

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

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'an image host';
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
    requestId: o.requestId,
    cause: e,
  });
}

function finalError(e: unknown, requestId?: string): Error {
  if (e instanceof BrokenDownload) return new ProtocolError(e.message, { requestId });
  return e instanceof FluxKreaError && e.requestId === undefined && requestId !== undefined
    ? e.with({ requestId })
    : (e as Error);
}
