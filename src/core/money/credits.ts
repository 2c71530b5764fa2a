/**
 * Credits as people read them. Segmind prices images in hundredths of a credit and reports
 * balances with up to 6 decimals; floating-point sums (0.1 + 0.2) must never show as
 * 0.30000000000000004, nor a real cost round to "0".
 */

/** Sums and compares credits at a micro-credit grain, so float noise never decides a budget. */
export function roundCredits(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

/** At least two decimals, at most six, no trailing zeros beyond two: 0.1 → "0.10", 41.3 → "41.30", 0.0125 → "0.0125". */
export function formatCredits(n: number): string {
  const fixed = roundCredits(n).toFixed(6).replace(/0+$/, '');
  const [whole, decimals = ''] = fixed.split('.');
  return `${whole}.${decimals.padEnd(2, '0')}`;
}

/** Parses a `--since` span: `7d`, `12h`, `30m`, `2w` → ms; undefined when it is not one. */
export function parseSpan(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([mhdw])$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2]!.toLowerCase() as 'm' | 'h' | 'd' | 'w'];
  const ms = Number(m[1]) * unit;
  return ms > 0 ? ms : undefined;
}
