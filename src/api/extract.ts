/**
 * Finds the images in whatever shape Segmind answers with. The contract is partly unknown
 * (see shared/segmind-api.md), so every plausible shape is accepted: `images[].url`, `output`
 * as a string or array, plain base64, `data:` URIs, and raw bytes on v1.
 */
export type ImageRef =
  | { kind: 'url'; url: string; contentType?: string; fileName?: string }
  | { kind: 'bytes'; data: Buffer; contentType?: string };

const DATA_URI = /^data:([\w/+.-]+)?(;[\w=.-]+)*;base64,/i;
// Long enough that it cannot be a word or an id, and only base64 characters.
const BASE64 = /^[A-Za-z0-9+/_-]{64,}={0,2}$/;

/** One string from the server as an image reference, or undefined when it is none. */
export function refFromString(s: string): ImageRef | undefined {
  const t = s.trim();
  if (/^https?:\/\//i.test(t)) return { kind: 'url', url: t };
  const m = DATA_URI.exec(t);
  if (m) return { kind: 'bytes', data: Buffer.from(t.slice(m[0].length), 'base64'), contentType: m[1] };
  const compact = t.replace(/\s+/g, '');
  if (BASE64.test(compact)) return { kind: 'bytes', data: Buffer.from(compact, 'base64') };
  return undefined;
}

function fromValue(v: unknown): ImageRef[] {
  if (typeof v === 'string') {
    const r = refFromString(v);
    return r ? [r] : [];
  }
  if (Array.isArray(v)) return v.flatMap(fromValue);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of ['url', 'uri', 'image', 'data', 'base64']) {
      if (typeof o[k] === 'string') {
        const r = refFromString(o[k] as string);
        if (!r) continue;
        if (r.kind === 'url') {
          if (typeof o.content_type === 'string') r.contentType = o.content_type;
          if (typeof o.file_name === 'string') r.fileName = o.file_name;
        }
        return [r];
      }
    }
  }
  return [];
}

/**
 * Image references from a v2 result or a JSON v1 answer: `images` when present (the richest
 * shape), else `output`, else the single-image keys other Segmind models use.
 */
export function extractImages(body: unknown): ImageRef[] {
  if (body === null || body === undefined) return [];
  if (typeof body === 'string' || Array.isArray(body)) return fromValue(body);
  if (typeof body !== 'object') return [];
  const o = body as Record<string, unknown>;
  for (const key of ['images', 'output', 'outputs', 'image', 'data']) {
    const refs = fromValue(o[key]);
    if (refs.length) return dedupe(refs);
  }
  return [];
}

function dedupe(refs: ImageRef[]): ImageRef[] {
  const seen = new Set<string>();
  return refs.filter((r) => {
    if (r.kind !== 'url') return true;
    if (seen.has(r.url)) return false;
    seen.add(r.url);
    return true;
  });
}

/** Detects the image format from its first bytes: the file extension follows the real content. */
export function sniffImage(head: Uint8Array): { ext: 'png' | 'jpg' | 'webp' | 'gif'; mime: string } | undefined {
  const b = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (b.length >= 8 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a) return { ext: 'png', mime: 'image/png' };
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return { ext: 'jpg', mime: 'image/jpeg' };
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return { ext: 'webp', mime: 'image/webp' };
  if (b.length >= 6 && /^GIF8[79]a$/.test(b.toString('latin1', 0, 6))) return { ext: 'gif', mime: 'image/gif' };
  return undefined;
}

/** Bytes needed by sniffImage. */
export const SNIFF_BYTES = 12;
