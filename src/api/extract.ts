/**
 * Finds the images in whatever shape Segmind answers with. The contract is partly unknown
 * (see docs/segmind-contract.md), so every plausible shape is accepted: `images[].url`, `output`
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

/** Answers nest images a level or two deep; a deeper one is hostile and is not walked. */
const MAX_DEPTH = 4;
/** More references than any answer of this model holds (1–4 images): the rest is a broken answer. */
export const MAX_IMAGE_REFS = 64;

function fromValue(v: unknown, depth = 0): ImageRef[] {
  if (depth > MAX_DEPTH) return [];
  if (typeof v === 'string') {
    // Other models on the gateway send `output` as a JSON-encoded string of an array.
    const t = v.trim();
    if (t.startsWith('[') || t.startsWith('{')) {
      const parsed = parseJson(t);
      if (parsed !== undefined) return fromValue(parsed, depth + 1);
    }
    const r = refFromString(v);
    return r ? [r] : [];
  }
  if (Array.isArray(v)) return v.slice(0, MAX_IMAGE_REFS).flatMap((item) => fromValue(item, depth + 1));
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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Image references from a v2 result or a JSON v1 answer, from every place they may be:
 * `images[]`, `output` (a string, an array, or a JSON-encoded array), and the keys other
 * Segmind models use, de-duplicated. No source hides another: a partial `images[]` beside a
 * full `output` loses nothing (issue 11).
 */
export function extractImages(body: unknown): ImageRef[] {
  if (body === null || body === undefined) return [];
  if (typeof body === 'string' || Array.isArray(body)) return dedupe(fromValue(body));
  if (typeof body !== 'object') return [];
  const o = body as Record<string, unknown>;
  const out: ImageRef[] = [];
  const earlier = new Set<string>();
  for (const key of ['images', 'output', 'outputs', 'image', 'data']) {
    const refs = dedupe(fromValue(o[key]));
    // Bytes are compared only across keys: one key may rightly hold two identical images.
    const fresh = refs.filter((r) => !earlier.has(identity(r)));
    out.push(...fresh);
    for (const r of refs) earlier.add(identity(r));
  }
  return dedupe(out).slice(0, MAX_IMAGE_REFS);
}

function identity(r: ImageRef): string {
  return r.kind === 'url'
    ? `u:${r.url}`
    : `b:${r.data.length}:${r.data.subarray(0, 48).toString('base64')}:${r.data.subarray(-48).toString('base64')}`;
}

/** Drops repeated URLs (repeated bytes are kept: see extractImages). */
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
  if (b.length >= 8 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a)
    return { ext: 'png', mime: 'image/png' };
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return { ext: 'jpg', mime: 'image/jpeg' };
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP')
    return { ext: 'webp', mime: 'image/webp' };
  if (b.length >= 6 && /^GIF8[79]a$/.test(b.toString('latin1', 0, 6))) return { ext: 'gif', mime: 'image/gif' };
  return undefined;
}

/** Bytes needed by sniffImage. */
export const SNIFF_BYTES = 12;
