/**
 * Every `--json` document carries `schema_version`, so a script can tell the shape it reads.
 * Version 1 may gain fields; it never loses or changes one (a change of that kind is version
 * 2). The shapes are JSON Schemas in schemas/*.json, printed by `flux-krea schema <name>`.
 */
export const SCHEMA_VERSION = 1;

export type JsonDocument<T extends Record<string, unknown>> = { schema_version: typeof SCHEMA_VERSION } & T;

/**
 * A document is an object, so that it can carry schema_version: a list goes under a name
 * (`{"jobs": [...]}`). An array spread into an object would silently become {"0": ...}.
 */
export function jsonDocument<T extends Record<string, unknown>>(body: T): JsonDocument<T> {
  if (Array.isArray(body)) throw new TypeError('A --json document must be an object: put the list under a name.');
  return { schema_version: SCHEMA_VERSION, ...body };
}

/** One document, indented for people who read it too. */
export function formatJson(body: Record<string, unknown>): string {
  return `${JSON.stringify(jsonDocument(body), null, 2)}\n`;
}

/** One line of a JSON Lines stream (batch --json). */
export function formatJsonLine(body: Record<string, unknown>): string {
  return `${JSON.stringify(jsonDocument(body))}\n`;
}
