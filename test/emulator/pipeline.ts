// The request pipeline both servers share: log, read the body, route, then either answer
// normally or play the next scripted fault for that route.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from './context.js';
import { invalidJsonReply, hugeReply, statusFaultReply } from './faults.js';
import { bodyForLog, json, logEntry, readBody, send, type Reply } from './http-util.js';
import { noImageResult } from './routes-requests.js';
import type { FaultRoute, LoggedRequest } from './types.js';

export interface RouteMatch {
  /** Set only when path and method match a route: faults target routes, not typos. */
  route: Exclude<FaultRoute, 'any'> | undefined;
  /** The request id in /v2/requests/<id> paths. */
  id?: string;
  run(): Reply | Promise<Reply>;
}

export type Router = (req: IncomingMessage, pathname: string, raw: Buffer) => RouteMatch;

function resetSocket(req: IncomingMessage): void {
  // An RST (ECONNRESET on the client) rather than a clean FIN, like a crashed proxy.
  if (typeof req.socket.resetAndDestroy === 'function') req.socket.resetAndDestroy();
  else req.socket.destroy();
}

async function respond(
  ctx: Context,
  req: IncomingMessage,
  res: ServerResponse,
  entry: LoggedRequest,
  match: RouteMatch,
): Promise<void> {
  const fault = ctx.faults.take(match.route);
  switch (fault?.type) {
    case undefined:
      return send(req, res, await match.run(), entry);
    case 'status':
      return send(req, res, statusFaultReply(fault.status, fault.body, fault.contentType, fault.headers), entry);
    case 'reset':
      return resetSocket(req);
    case 'stall':
      if (fault.ms === undefined) return; // never answer; close() destroys the socket
      await ctx.delay(fault.ms);
      return send(req, res, await match.run(), entry);
    case 'invalid-json':
      return send(req, res, invalidJsonReply(), entry);
    case 'huge':
      return send(req, res, hugeReply(fault.bytes), entry);
    case 'no-image':
      return send(req, res, noImageResult(ctx, match.id ?? ''), entry);
    case 'truncate':
    case 'corrupt':
    case 'reset-mid-body':
      return send(req, res, await match.run(), entry, fault.type);
    case 'after-create': {
      // The work happens (a submit creates and bills the job), but the answer is lost.
      const reply = await match.run();
      const lost = reply.status === 200 ? statusFaultReply(fault.status) : reply;
      return send(req, res, lost, entry);
    }
  }
}

export async function handleRequest(
  ctx: Context,
  server: LoggedRequest['server'],
  router: Router,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const entry = logEntry(server, req, ctx.config.now());
  ctx.log.push(entry);
  try {
    const raw = await readBody(req);
    entry.body = bodyForLog(raw);
    const pathname = new URL(req.url ?? '/', 'http://emulator.invalid').pathname;
    await respond(ctx, req, res, entry, router(req, pathname, raw));
  } catch (error) {
    // A bug in the emulator must show up as a 500 in the test, not as a hung request.
    if (!res.headersSent && !res.destroyed) {
      await send(req, res, json(500, { error: `emulator error: ${String(error)}` }), entry);
    } else {
      res.destroy();
    }
  }
}
