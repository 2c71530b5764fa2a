/**
 * The most specific human text in an error body, whatever key it is under. Segmind's gateway
 * uses `error`; its OAuth surface adds `error_description` beside an `error` code; workflow
 * failures carry an object under `error_message`; Portkey's adapter reads `html-message`;
 * some bodies are plain text or HTML pages (see docs/segmind-contract.md, "Errors").
 */

/** Keys in order of preference when several hold a sentence. */
import { scrubSecrets } from '../util/secrets.js';

const KEYS = [
  'error_description',
  'error_message',
  'error',
  'message',
  'detail',
  'details',
  'html-message',
  'msg',
  'reason',
];
const MAX_LENGTH = 300;
/** Bodies are nested a few levels at most; a deeper one is hostile and is not walked. */
const MAX_DEPTH = 4;

export function errorText(body: unknown): string | undefined {
  if (typeof body === 'string') return fromString(body);
  return fromObject(body, 0);
}

function fromObject(v: unknown, depth: number): string | undefined {
  if (!v || typeof v !== 'object' || depth > MAX_DEPTH) return undefined;
  if (Array.isArray(v)) {
    for (const item of v.slice(0, 5)) {
      const t = typeof item === 'string' ? fromString(item) : fromObject(item, depth + 1);
      if (t) return t;
    }
    return undefined;
  }
  const o = v as Record<string, unknown>;
  const found: string[] = [];
  for (const k of KEYS) {
    const value = o[k];
    const t = typeof value === 'string' ? fromString(value) : fromObject(value, depth + 1);
    if (t) found.push(t);
  }
  // A bare code ("invalid_token") says less than any sentence beside it.
  return found.find((t) => /\s/.test(t)) ?? found[0];
}

function fromString(s: string): string | undefined {
  let text = s.trim();
  if (/^<(!doctype|html|\?xml)/i.test(text)) return undefined; // a whole page says nothing in a terminal
  if (/<\/?[a-z][^>]*>/i.test(text))
    text = text
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
  // Control characters (escape sequences) never reach the terminal: matching them is the point.
  /* eslint-disable no-control-regex */
  text = text
    .replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, '')
    .replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
  /* eslint-enable no-control-regex */
  if (!text) return undefined;
  // A server may echo the key it was sent (or another): the detail ends up in messages, --json,
  // the journal and lock files (issue 12 item 11).
  text = scrubSecrets(text);
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH)}…` : text;
}
