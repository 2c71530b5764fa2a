// Routing of the API server (api.segmind.com, plus the upload route that upstream serves
// from a separate workflows host) and of the image server (images.segmind.com).
import type { IncomingMessage } from 'node:http';
import type { Context } from './context.js';
import { bufferBody, json, methodNotAllowed, text, type Reply } from './http-util.js';
import { bodyChunks, paddedBody, renderImage } from './images/index.js';
import type { RouteMatch, Router } from './pipeline.js';
import { creditsRoute, uploadRoute } from './routes-account.js';
import { submitV1, submitV2 } from './routes-model.js';
import { legacyOutputRoute, resultRoute, statusRoute } from './routes-requests.js';
import { rateLimited } from './rate-limit.js';
import type { ErrorKey, FaultRoute } from './types.js';

type RouteName = Exclude<FaultRoute, 'any'>;

interface ApiRoute {
  pattern: RegExp;
  method: 'GET' | 'POST';
  name: RouteName;
  handle(ctx: Context, raw: Buffer, id: string): Reply | Promise<Reply>;
}

const API_ROUTES: ApiRoute[] = [
  { pattern: /^\/v2\/flux-krea-dev$/, method: 'POST', name: 'submit', handle: (ctx, raw) => submitV2(ctx, raw) },
  { pattern: /^\/v1\/flux-krea-dev$/, method: 'POST', name: 'submit-v1', handle: (ctx, raw) => submitV1(ctx, raw) },
  {
    pattern: /^\/v2\/requests\/([^/]+)\/status$/,
    method: 'GET',
    name: 'status',
    handle: (ctx, _raw, id) => statusRoute(ctx, id),
  },
  {
    pattern: /^\/v2\/requests\/([^/]+)$/,
    method: 'GET',
    name: 'result',
    handle: (ctx, _raw, id) => resultRoute(ctx, id),
  },
  {
    pattern: /^\/v1\/requests\/([^/]+)$/,
    method: 'GET',
    name: 'result',
    handle: (ctx, _raw, id) => legacyOutputRoute(ctx, id),
  },
  { pattern: /^\/v1\/get-user-credits$/, method: 'GET', name: 'credits', handle: (ctx) => creditsRoute(ctx) },
  { pattern: /^\/upload-asset$/, method: 'POST', name: 'upload', handle: (ctx, raw) => uploadRoute(ctx, raw) },
];

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Gateway checks before any handler: the key, then (for POSTs) the JSON content type. */
function gatewayCheck(ctx: Context, req: IncomingMessage): Reply | undefined {
  // Only x-api-key counts: `Authorization: Bearer` alone is rejected like a wrong key.
  const key = header(req, 'x-api-key');
  if (key === undefined || !ctx.config.apiKeys.includes(key)) return json(401, { error: 'Invalid API key' });
  if (req.method === 'POST') {
    const type = (header(req, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    // Some 406 bodies are plain text upstream; clients must not assume JSON.
    if (type !== 'application/json') return text(406, 'Not Acceptable: send Content-Type: application/json');
  }
  return undefined;
}

export function apiRouter(ctx: Context): Router {
  return (req, pathname, raw): RouteMatch => {
    const candidates = API_ROUTES.map((route) => ({ route, match: route.pattern.exec(pathname) })).filter(
      (c) => c.match !== null,
    );
    if (candidates.length === 0) {
      return { route: undefined, run: () => json(404, { error: `Not found: ${pathname}` }) };
    }
    const hit = candidates.find((c) => c.route.method === req.method);
    if (!hit) {
      return { route: undefined, run: () => methodNotAllowed(candidates.map((c) => c.route.method)) };
    }
    const id = hit.match?.[1] === undefined ? undefined : decodeURIComponent(hit.match[1]);
    return {
      route: hit.route.name,
      ...(id === undefined ? {} : { id }),
      run: async () =>
        withErrorKey(
          ctx.config.errorKey,
          gatewayCheck(ctx, req) ??
            (ctx.config.rateLimit?.routes === 'all' ? rateLimited(ctx) : undefined) ??
            (await hit.route.handle(ctx, raw, id ?? '')),
        ),
    };
  };
}

/**
 * Moves the detail of a JSON error body under another of the keys seen upstream: the OAuth
 * surface's `error_description` (beside an `error` code), a workflow's `error_message` object,
 * Portkey's `html-message`, or plain `message` / `detail`.
 */
function withErrorKey(key: ErrorKey, reply: Reply): Reply {
  if (key === 'error' || reply.status < 400 || !reply.headers['content-type']?.includes('json')) return reply;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(Buffer.concat([...reply.body.chunks()]).toString('utf8')) as Record<string, unknown>;
  } catch {
    return reply;
  }
  if (typeof body.error !== 'string') return reply;
  const { error: detail, ...rest } = body;
  const moved =
    key === 'error_description'
      ? { error: 'request_failed', error_description: detail, status_code: reply.status }
      : key === 'error_message'
        ? { error_message: { message: detail, code: reply.status } }
        : key === 'html-message'
          ? { 'html-message': `<p>${String(detail)}</p>` }
          : { [key]: detail };
  return json(
    reply.status,
    { ...rest, ...moved },
    Object.fromEntries(Object.entries(reply.headers).filter(([k]) => k !== 'content-type')),
  );
}

/** Object stores answer misses with XML: one more error body that is not the API's JSON. */
function imageNotFound(path: string): Reply {
  return text(
    404,
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Key>${path}</Key></Error>`,
    'application/xml',
  );
}

function imageFile(ctx: Context, name: string): Reply {
  const spec = ctx.jobs.images.get(name);
  if (!spec) return imageNotFound(`images/${name}`);
  const body = paddedBody(renderImage(spec), ctx.config.imagePadBytes);
  return {
    status: 200,
    headers: { 'content-type': body.contentType, 'cache-control': 'public, max-age=604800' },
    body: { length: body.length, chunks: () => bodyChunks(body) },
  };
}

function uploadedFile(ctx: Context, name: string): Reply {
  const file = ctx.uploads.get(name);
  if (!file) return imageNotFound(`uploads/${name}`);
  return { status: 200, headers: { 'content-type': file.contentType }, body: bufferBody(file.bytes) };
}

export function imageRouter(ctx: Context): Router {
  return (req, pathname): RouteMatch => {
    const match = /^\/(images|uploads)\/([^/]+)$/.exec(pathname);
    if (!match) return { route: undefined, run: () => imageNotFound(pathname.slice(1)) };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return { route: undefined, run: () => methodNotAllowed(['GET', 'HEAD']) };
    }
    const name = decodeURIComponent(match[2]!);
    // Image URLs are public: no key is checked here (the log shows whether one was sent).
    return {
      route: 'image',
      run: () => (match[1] === 'images' ? imageFile(ctx, name) : uploadedFile(ctx, name)),
    };
  };
}
