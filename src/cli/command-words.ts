/**
 * A prompt that is one word and a command name, or close to one, is a slip, not an order for a
 * paid job (issue 13 item 1): `flux-krea jbos` meant `jobs`. The closeness is the one commander
 * uses for its own suggestions (edit distance with transpositions, at most 3, and more than 40%
 * of the longer word kept), so a word commander would have suggested for is never paid for.
 */
import { UsageError } from '../errors.js';

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours cost 1. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The command names closest to `word` under commander's rule, best first; empty when none is close. */
export function nearCommands(word: string, commands: readonly string[]): string[] {
  const w = word.toLowerCase();
  let best = 3;
  let found: string[] = [];
  for (const c of new Set(commands)) {
    if (c.length <= 1) continue;
    const distance = editDistance(w, c);
    const similarity = (Math.max(w.length, c.length) - distance) / Math.max(w.length, c.length);
    if (similarity <= 0.4) continue;
    if (distance < best) {
      best = distance;
      found = [c];
    } else if (distance === best) {
      found.push(c);
    }
  }
  return found;
}

/**
 * Throws a usage error when the prompt words are a single word close to a command name. The
 * exact name `help` never gets here (commander shows the help); the other exact names are run
 * by commander as commands.
 */
export function refuseCommandLikePrompt(words: readonly string[], commands: readonly string[]): void {
  if (words.length !== 1) return;
  const word = words[0]!;
  if (!/^[\p{L}\p{N}_-]+$/u.test(word)) return;
  const near = nearCommands(word, commands);
  if (near.length === 0) return;
  const names = near.map((c) => `\`${c}\``).join(' or ');
  throw new UsageError(`"${word}" is not a command; did you mean ${names}? Nothing was sent.`, {
    suggestion: `To generate an image of "${word}" on purpose, run \`flux-krea generate ${word}\` or \`flux-krea -- ${word}\`.`,
  });
}
