// Segmind's rate limit: a sliding one-minute window. A 429 carries `x-rate-limit-reset-at-utc`
// (in the configured format) and, only when asked, Retry-After; upstream sends no Retry-After.
import type { Context } from './context.js';
import { json, type Reply } from './http-util.js';
import type { ResetFormat } from './types.js';

export function formatResetTime(at: number, format: ResetFormat = 'iso'): string {
  const iso = new Date(at).toISOString();
  switch (format) {
    case 'iso':
      return iso;
    case 'iso-space':
      return iso.replace('T', ' ').replace('Z', '+00:00');
    case 'iso-no-zone':
      return iso.replace('Z', '');
    case 'epoch-s':
      return String(Math.ceil(at / 1000));
    case 'epoch-ms':
      return String(Math.ceil(at));
  }
}

/** A 429 when the window is full; otherwise the request is counted and let through. */
export function rateLimited(ctx: Context): Reply | undefined {
  const limit = ctx.config.rateLimit;
  if (!limit) return undefined;
  const now = ctx.config.now();
  ctx.rateWindow = ctx.rateWindow.filter((t) => t > now - 60_000);
  if (ctx.rateWindow.length < limit.perMinute) {
    ctx.rateWindow.push(now);
    return undefined;
  }
  const resetAt = (ctx.rateWindow[0] ?? now) + 60_000;
  const headers: Record<string, string> = {};
  if (limit.header === 'retry-after' || limit.header === 'both') {
    headers['retry-after'] = String(Math.max(1, Math.ceil((resetAt - now) / 1000)));
  }
  if (limit.header === 'reset-at' || limit.header === 'both') {
    headers['x-rate-limit-reset-at-utc'] = formatResetTime(resetAt, limit.resetFormat);
  }
  return json(429, { error: 'Rate limit exceeded. Please try again later.' }, headers);
}
