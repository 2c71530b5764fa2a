/**
 * Where a JSON text is broken, without quoting it: V8's messages show a slice of the text,
 * and a config file holds the API key (issue 12 item 11). Only the line and column are kept.
 */
export function jsonProblem(text: string, e: unknown): string {
  const at = /position (\d+)/.exec((e as Error)?.message ?? '');
  if (!at) return 'not valid JSON';
  const before = text.slice(0, Number(at[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `not valid JSON at line ${line}, column ${column}`;
}
