/**
 * The one scrubber for API keys in text that leaves the process (issue 12 item 11): the keys
 * this process has seen (from the environment, the config file, `auth login`, a client's
 * options), and anything shaped like a Segmind key (`SG_` and a run of letters and digits),
 * since a server may echo a key we never held (another account's, a teammate's).
 *
 * Known keys live in one module-level set: a key, once seen, stays a secret for the life of
 * the process, whichever command or client read it.
 */

const known = new Set<string>();

/** Keys this short are not kept: scrubbing them would mangle ordinary words. */
const MIN_SECRET = 8;

/** `SG_` followed by at least 6 key characters; the real ones have 16 hex digits. */
const KEY_SHAPED = /SG_[A-Za-z0-9_-]{6,}/g;

export function rememberSecret(secret: string | undefined): void {
  const s = secret?.trim();
  if (s && s.length >= MIN_SECRET) known.add(s);
}

/** `text` with every known key and key-shaped string replaced by `SG_***`. */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const s of known) if (out.includes(s)) out = out.split(s).join('[redacted key]');
  return out.replace(KEY_SHAPED, 'SG_***');
}

/** For tests: forget the keys seen so far. */
export function forgetSecrets(): void {
  known.clear();
}
