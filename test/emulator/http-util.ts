// HTTP plumbing shared by the API and image servers: replies as values (so faults can
// rewrite them before they go out), body reading, request logging and the streaming sender.
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { LoggedRequest } from './types.js';

/** A body given as pieces with its exact length known up front (images can be 200 MB). */
export interface Body {
  length: number;
  chunks(): Iterable<Buffer>;
}

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Body;
}

/** How the body is sent: body-level faults need the normal reply and then break it. */
export type SendMode = 'normal' | 'truncate' | 'corrupt' | 'reset-mid-body';

export function bufferBody(data: Buffer | string): Body {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return { length: buf.length, chunks: () => [buf] };
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: bufferBody(JSON.stringify(value)),
  };
}

export function text(status: number, body: string, contentType = 'text/plain; charset=utf-8'): Reply {
  return { status, headers: { 'content-type': contentType }, body: bufferBody(body) };
}

/** Gateways answer 405 with an HTML page; clients must not assume JSON errors. */
export function methodNotAllowed(allowed: string[]): Reply {
  const reply = text(
    405,
    '<html><head><title>405 Not Allowed</title></head><body><center><h1>405 Not Allowed</h1></center></body></html>',
    'text/html',
  );
  reply.headers['allow'] = allowed.join(', ');
  return reply;
}

export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

const LOG_BODY_LIMIT = 64 * 1024;
/** Bigger request bodies are refused: nothing in the contract needs them. */
const MAX_REQUEST_BODY = 64 * 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BODY) parts.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

/** The body as the log keeps it: parsed JSON when small enough, else the text cut at 64 KB. */
export function bodyForLog(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  const textBody = raw.subarray(0, LOG_BODY_LIMIT).toString('utf8');
  if (raw.length <= LOG_BODY_LIMIT) {
    try {
      return JSON.parse(textBody) as unknown;
    } catch {
      return textBody;
    }
  }
  return textBody;
}

const connectionIds = new WeakMap<object, number>();
let connections = 0;

/** A number per TCP connection, so tests and the bench can count the connections a client opened. */
function connectionOf(req: IncomingMessage): number {
  let id = connectionIds.get(req.socket);
  if (id === undefined) connectionIds.set(req.socket, (id = ++connections));
  return id;
}

export function logEntry(server: LoggedRequest['server'], req: IncomingMessage, time: number): LoggedRequest {
  const headers: LoggedRequest['headers'] = {};
  for (const [name, value] of Object.entries(req.headers)) headers[name.toLowerCase()] = value;
  return {
    server,
    method: req.method ?? 'GET',
    path: req.url ?? '/',
    headers,
    body: undefined,
    time,
    status: 0,
    connection: connectionOf(req),
  };
}

/** Same length, wrong leading bytes: looks like a complete download, is not an image. */
function* corrupted(chunks: Iterable<Buffer>): Generator<Buffer> {
  const garbage = Buffer.from('<html>NOT AN IMAGE: corrupted by the emulator</html>');
  let offset = 0;
  for (const chunk of chunks) {
    if (offset < garbage.length) {
      const copy = Buffer.from(chunk);
      garbage.copy(copy, 0, offset, Math.min(garbage.length, offset + copy.length));
      offset += chunk.length;
      yield copy;
    } else {
      yield chunk;
    }
  }
}

function waitForDrain(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

/** Write at most `limit` bytes of the pieces, respecting backpressure. */
async function writeLimited(res: ServerResponse, chunks: Iterable<Buffer>, limit: number): Promise<void> {
  let sent = 0;
  for (const chunk of chunks) {
    if (res.destroyed || sent >= limit) return;
    const piece = sent + chunk.length > limit ? chunk.subarray(0, limit - sent) : chunk;
    sent += piece.length;
    if (!res.write(piece)) await waitForDrain(res);
  }
}

export async function send(
  req: IncomingMessage,
  res: ServerResponse,
  reply: Reply,
  entry: LoggedRequest,
  mode: SendMode = 'normal',
): Promise<void> {
  if (res.destroyed) return;
  entry.status = reply.status;
  res.writeHead(reply.status, { ...reply.headers, 'content-length': String(reply.body.length) });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const chunks = mode === 'corrupt' ? corrupted(reply.body.chunks()) : reply.body.chunks();
  if (mode === 'normal' || mode === 'corrupt') {
    await writeLimited(res, chunks, Infinity);
    if (!res.destroyed) res.end(); // the client may have gone away mid-body
    return;
  }
  // Both cut the body in half; 'truncate' closes cleanly (EOF before Content-Length),
  // 'reset-mid-body' tears the connection down.
  await writeLimited(res, chunks, Math.floor(reply.body.length / 2));
  const socket = res.socket;
  if (!socket) return;
  if (mode === 'truncate') {
    socket.end();
  } else {
    // Let the written part reach the kernel first, so the client sees headers + some body.
    socket.write(Buffer.alloc(0), () => socket.destroy());
  }
}
