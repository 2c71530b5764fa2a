// GET /v1/get-user-credits and POST /upload-asset.
import { randomUUID } from 'node:crypto';
import type { Context } from './context.js';
import { json, type Reply } from './http-util.js';

export function creditsRoute(ctx: Context): Reply {
  if (!ctx.config.creditsRecord) return json(404, { error: 'No credits found for the user' });
  return json(200, { credits: ctx.config.credits, 'free-credits': 0.018 });
}

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
};

/** data:[<mime>][;base64],<data> — both the base64 and the percent-encoded forms. */
function decodeDataUrl(value: unknown): { bytes: Buffer; contentType: string } | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/s.exec(value);
  if (!match) return undefined;
  const contentType = match[1] || 'text/plain';
  const isBase64 = (match[2] ?? '').split(';').includes('base64');
  const payload = match[3] ?? '';
  try {
    const bytes = isBase64 ? Buffer.from(payload, 'base64') : Buffer.from(decodeURIComponent(payload), 'latin1');
    return { bytes, contentType };
  } catch {
    return undefined;
  }
}

export function uploadRoute(ctx: Context, raw: Buffer): Reply {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return json(400, { error: 'Request body is not valid JSON' });
  }
  const dataUrls = (body as { data_urls?: unknown } | null)?.data_urls;
  if (!Array.isArray(dataUrls) || dataUrls.length === 0) {
    return json(400, { error: '"data_urls" must be a non-empty array of data: URLs' });
  }
  const decoded = dataUrls.map(decodeDataUrl);
  const bad = decoded.findIndex((d) => d === undefined);
  if (bad >= 0) return json(400, { error: `data_urls[${bad}] is not a data: URL` });
  const urls = decoded.map((file) => {
    const { bytes, contentType } = file!;
    const name = `${randomUUID()}.${EXTENSIONS[contentType] ?? 'bin'}`;
    ctx.uploads.set(name, { bytes, contentType });
    return `${ctx.imageHost()}/uploads/${name}`;
  });
  const answer = json(
    200,
    ctx.config.uploadShape === 'urls' ? { urls } : { file_urls: urls, message: 'Files uploaded successfully' },
  );
  // Upstream may label its JSON text/plain: a client must read the answer by content.
  if (ctx.config.uploadContentType === 'text') answer.headers['content-type'] = 'text/plain; charset=utf-8';
  return answer;
}
