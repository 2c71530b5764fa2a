/** Quoting for the generated scripts: every piece of text from the tree goes through here. */

/** A POSIX single-quoted word (bash, zsh): `it's` → `'it'\''s'`. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A fish single-quoted word: only `\` and `'` are special inside. */
export function fishQuote(s: string): string {
  return `'${s.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/** The values of a hint as one space-separated word list (no value holds a space). */
export function wordList(values: readonly string[]): string {
  return values.join(' ');
}
