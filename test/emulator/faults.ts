// Scripted faults: a FIFO of specs, each applying to the next `times` requests of its route.
// Faults model the network and the gateway, so they fire before auth and validation; the
// body-level ones (truncate, corrupt, reset-mid-body, after-create) need the normal reply
// first and are applied to it by the server.
import { bufferBody, json, reasonPhrase, type Body, type Reply } from './http-util.js';
import type { FaultKind, FaultRoute, FaultSpec } from './types.js';

interface Pending {
  spec: FaultSpec;
  left: number;
}

export class FaultQueue {
  private readonly pending: Pending[] = [];

  add(spec: FaultSpec): void {
    const times = spec.times ?? 1;
    if (times > 0) this.pending.push({ spec, left: times });
  }

  /** The first queued fault matching `route` (or 'any'), consumed by one use. */
  take(route: Exclude<FaultRoute, 'any'> | undefined): FaultKind | undefined {
    const index = this.pending.findIndex((p) => p.spec.route === 'any' || p.spec.route === route);
    if (index < 0) return undefined;
    const hit = this.pending[index]!;
    hit.left -= 1;
    if (hit.left <= 0) this.pending.splice(index, 1);
    return hit.spec.kind;
  }

  get size(): number {
    return this.pending.length;
  }
}

function guessContentType(body: string): string {
  const start = body.trimStart();
  if (start.startsWith('<')) return 'text/html';
  if (start.startsWith('{') || start.startsWith('[')) return 'application/json';
  return 'text/plain';
}

/** A scripted status answer; without a body, a JSON error named after the status. */
export function statusFaultReply(
  status: number,
  body?: string,
  contentType?: string,
  headers?: Record<string, string>,
): Reply {
  if (body === undefined) return json(status, { error: reasonPhrase(status) }, headers);
  return {
    status,
    headers: { 'content-type': contentType ?? guessContentType(body), ...headers },
    body: bufferBody(body),
  };
}

/** 200 with a JSON body cut mid-token. */
export function invalidJsonReply(): Reply {
  return { status: 200, headers: { 'content-type': 'application/json' }, body: bufferBody('{"status": "COMP') };
}

/** 200 with a syntactically valid JSON body of exactly `bytes` bytes (when bytes >= 38), streamed. */
export function hugeReply(bytes: number): Reply {
  const total = Math.max(0, Math.floor(bytes));
  const prefix = Buffer.from('{"status":"COMPLETED","padding":"');
  const suffix = Buffer.from('"}');
  const fill = Buffer.alloc(64 * 1024, 'x');
  const body: Body = {
    length: total,
    *chunks() {
      // Small sizes get a cut prefix: still "JSON-ish", and the length is what was asked.
      if (total < prefix.length + suffix.length) {
        yield prefix.subarray(0, total);
        return;
      }
      yield prefix;
      for (let left = total - prefix.length - suffix.length; left > 0; left -= fill.length) {
        yield left >= fill.length ? fill : fill.subarray(0, left);
      }
      yield suffix;
    },
  };
  return { status: 200, headers: { 'content-type': 'application/json' }, body };
}
